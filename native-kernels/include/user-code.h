/* user-code.h: the place of a user's snippet in the program (see user.h). The OpenCL and CUDA
 * backends replace this text with the functions they generate around the user's bodies when they
 * build a program for a user potential; the library's own program includes it empty. */
