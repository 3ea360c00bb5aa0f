package dev.mlv.cli.data;

import dev.mlv.cli.Output;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.DataRepo;
import dev.mlv.data.Digests;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.ViewType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "log", description = "The versions of a dataset across git history, and the tracked runs that used each "
        + "(runs are found by datasets.digest on the tracking server, when one is reachable).")
final class DataLogCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", paramLabel = "PATH.mlv")
    String pointer;

    @Option(names = "--tracking-uri", paramLabel = "URI", description = "Server to search for runs (default: $MLV_TRACKING_URI, "
            + "then $MLFLOW_TRACKING_URI, then " + RestClient.DEFAULT_TRACKING_URI + ").")
    String trackingUri;

    @Option(names = "--no-runs", description = "Do not ask a tracking server for runs.")
    boolean noRuns;

    @Override
    public Integer call() {
        List<DataRepo.Version> versions;
        try (DataRepo r = repo.open()) {
            versions = r.log(repo.paths(List.of(pointer)).get(0));
        }
        RunFinder runs = noRuns ? null : new RunFinder(trackingUri != null ? trackingUri : RestClient.trackingUriFromEnv());
        List<Map<String, Object>> json = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (DataRepo.Version v : versions) {
            String digest = v.out() == null ? null : v.out().digest();
            List<String> runIds = digest == null || runs == null ? List.of() : runs.find(Digests.datasetDigest(digest));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("commit", v.commit());
            m.put("time", v.time() * 1000);
            m.put("subject", v.subject());
            m.put("digest", digest);
            m.put("size", v.out() == null ? null : v.out().size());
            m.put("nfiles", v.out() == null ? null : v.out().nfiles());
            m.put("runs", runIds);
            json.add(m);
            rows.add(List.of(v.commit().substring(0, 10), Output.time(v.time() * 1000),
                    digest == null ? "(deleted)" : digest.substring(0, 12) + (digest.endsWith(".dir") ? ".dir" : ""),
                    v.out() == null ? "" : String.valueOf(v.out().size()), String.join(",", runIds), v.subject()));
        }
        if (repo.json()) repo.output().json(json);
        else {
            repo.output().table(List.of("COMMIT", "DATE", "DIGEST", "SIZE", "RUNS", "SUBJECT"), rows, "No versions in git history.");
            if (runs != null && runs.unreachable != null) repo.output().println("note: runs not shown: " + runs.unreachable);
        }
        return 0;
    }

    /** Searches every experiment's runs for a dataset digest; remembers if the server cannot be reached. */
    static final class RunFinder {
        private final MlvClient client;
        private List<String> experimentIds;
        String unreachable;

        RunFinder(String uri) {
            this.client = MlvClient.connect(uri);
        }

        List<String> find(String datasetDigest) {
            if (unreachable != null) return List.of();
            try {
                if (experimentIds == null) {
                    experimentIds = client.searchExperiments(ViewType.ALL).stream().map(Experiment::experimentId).toList();
                }
                if (experimentIds.isEmpty()) return List.of();
                return client.searchRuns("datasets.digest = '" + datasetDigest + "'", experimentIds, ViewType.ALL).stream()
                        .map(r -> r.info().runId()).toList();
            } catch (MlvException e) {
                unreachable = e.getMessage();
                return List.of();
            }
        }
    }
}
