package org.flowkernels.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What README.md tells a new user to run works on a fresh clone: the models it names exist, the export snippet runs as written. */
class ReadmeTest {
    static String readme() throws IOException {
        return Files.readString(Path.of("README.md"));
    }

    @Test
    void theFlowAndCnfCommandsNameModelsThatShip() throws IOException {
        Matcher m = Pattern.compile("bin/flowkernels (?:flow|cnf) \\w+ .*--model (\\S+)").matcher(readme());
        int commands = 0;
        for (; m.find(); commands++) {
            Path model = Path.of(m.group(1));
            assertTrue(Files.exists(model.resolve("flow.json")) || Files.exists(model.resolve("cnf.json")),
                    "README.md: " + m.group() + ": " + model + " is not a model directory in the repository");
        }
        assertTrue(commands >= 4, "the README's flow and cnf commands: " + commands);
    }

    /** The PyTorch export: what to install, and the folder made before the files are written into it. */
    @Test
    void theExportSnippetInstallsWhatItImportsAndMakesItsFolder() throws IOException {
        String text = readme();
        int save = text.indexOf("save_file(model.state_dict(), \"realnvp/model.safetensors\")");
        assertTrue(save > 0, "the export snippet");
        int install = text.lastIndexOf("pip install safetensors torch", save), mkdir = text.lastIndexOf("os.makedirs(\"realnvp\"", save);
        int snippet = text.lastIndexOf("```python", save);
        assertTrue(install > 0 && install > text.lastIndexOf("## ", save), "pip install safetensors torch before the snippet");
        assertTrue(mkdir > snippet, "os.makedirs(\"realnvp\", ...) in the snippet before save_file");
    }
}
