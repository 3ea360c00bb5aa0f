package dev.mlv.cli.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.cli.InProcessCli;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.serving.tribuo.TribuoModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv models predict}: a real Tribuo model scored from a file or standard input, as JSON or CSV. */
class PredictCommandTest {
    private static final String[] FEATURES = {"f_a", "f_b", "f_c"};
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() {
        LabelFactory lf = new LabelFactory();
        Random r = new Random(3);
        List<Example<Label>> ex = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            int c = i % 3;
            ex.add(new ArrayExample<>(new Label("class" + c), FEATURES,
                    new double[]{c * 2.0 + r.nextGaussian() * 0.3, -c + r.nextGaussian() * 0.3, r.nextGaussian()}));
        }
        var data = new MutableDataset<>(new ListDataSource<>(ex, lf, new SimpleDataSourceProvenance("synthetic", lf)));
        var trained = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 5, 3).train(data);
        model = dir.resolve("model");
        ModelPackage.write(TribuoModels.toOnnxModel(trained), model, "0123456789abcdef0123456789abcdef", "model");
    }

    private static String[] run(String stdin, String... args) {
        return InProcessCli.run(stdin, args);
    }

    @Test
    void scoresJsonFromAFileAndCsvFromStandardInputAlike() throws Exception {
        Path input = dir.resolve("batch.json");
        Files.writeString(input, "{\"dataframe_split\": {\"columns\": [\"f_a\", \"f_b\", \"f_c\"], "
                + "\"data\": [[0.1, 0.0, 0.2], [2.1, -1.0, 0.0], [4.0, -2.1, -0.3]]}}");
        Path output = dir.resolve("out/predictions.json");
        String[] fromFile = run("", "models", "predict", "-m", model.toString(), "-i", input.toString(), "-o", output.toString(),
                "--cache-dir", dir.resolve("cache").toString());
        assertThat(fromFile[0]).as(fromFile[2]).isEqualTo("0");
        JsonNode predictions = new ObjectMapper().readTree(output.toFile()).path("predictions");
        // MLflow's ONNX flavor answers one record per output value: 3 rows x 3 class probabilities
        assertThat(predictions).hasSize(9);
        assertThat(predictions.findValuesAsText("output")).hasSize(9);

        String[] fromCsv = run("f_a,f_b,f_c\n0.1,0.0,0.2\n2.1,-1.0,0.0\n4.0,-2.1,-0.3\n", "models", "predict",
                "-m", model.toString(), "-t", "csv", "--cache-dir", dir.resolve("cache").toString());
        assertThat(fromCsv[0]).as(fromCsv[2]).isEqualTo("0");
        assertThat(new ObjectMapper().readTree(fromCsv[1]).path("predictions")).isEqualTo(predictions);

        String[] wrongShape = run("{\"instances\": [[1, 2]]}", "models", "predict", "-m", model.toString());
        assertThat(wrongShape[0]).isEqualTo("2");
        assertThat(wrongShape[2]).startsWith("mlv: error: Invalid input. Row 0 of 'instances' has 2 values");
        String[] badType = run("", "models", "predict", "-m", model.toString(), "-t", "parquet");
        assertThat(badType[0]).isEqualTo("2");
        assertThat(badType[2]).startsWith("mlv: error: Unknown content type 'parquet': json or csv");
        String[] noInput = run("", "models", "predict", "-m", model.toString(), "-i", dir.resolve("missing.json").toString());
        assertThat(noInput[0]).isEqualTo("1");
        assertThat(noInput[2]).startsWith("mlv: error: No input file");
    }
}
