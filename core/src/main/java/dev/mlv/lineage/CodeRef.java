package dev.mlv.lineage;

/**
 * The code a run was trained with, from MLflow's system tags: {@code mlflow.source.git.commit},
 * {@code mlflow.source.git.repoURL}, {@code mlflow.source.git.branch}, {@code mlflow.source.name} and
 * {@code mlflow.source.type}, plus the Java client's {@code mlv.source.git.dirty} (uncommitted changes). Every field
 * may be null.
 */
public record CodeRef(String gitCommit, String gitRepo, String gitBranch, Boolean gitDirty, String sourceName,
                      String sourceType) {
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    public static final String GIT_REPO = "mlflow.source.git.repoURL";
    public static final String GIT_BRANCH = "mlflow.source.git.branch";
    public static final String SOURCE_NAME = "mlflow.source.name";
    public static final String SOURCE_TYPE = "mlflow.source.type";
    public static final String GIT_DIRTY = "mlv.source.git.dirty";

    public boolean isEmpty() {
        return gitCommit == null && gitRepo == null && gitBranch == null && gitDirty == null && sourceName == null && sourceType == null;
    }
}
