// morse.cl: a cluster of Morse particles in a harmonic trap (a flowkernels snippet file),
//   V = sum_{i<j} D (1 - exp(-a (r_ij - r0)))^2 + k sum_i |r_i|^2
// Run: bin/flowkernels sample custom --potential examples/morse.cl --particles 7 --backend opencl
//      (on the CPU backend add its Java twin: --java examples/Morse.java)
//! parameters D=1 a=2 r0=1 k=0.1
//! dim 2
//! pair_energy
REAL e = exp(-a * (sqrt(r2) - r0));
return D * (RC(1.0) - e) * (RC(1.0) - e);
//! pair_force
REAL r = sqrt(r2), e = exp(-a * (r - r0));
return RC(-2.0) * D * a * e * (RC(1.0) - e) / r; /* -phi'(r) / r */
//! one_body
REAL s = RC(0.0);
for (int c = 0; c < dim; c++) s += X(c) * X(c);
return k * s;
//! one_body_gradient
for (int c = 0; c < dim; c++) G(c) = RC(2.0) * k * X(c);
