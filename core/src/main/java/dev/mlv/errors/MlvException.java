package dev.mlv.errors;

/**
 * The one exception type that crosses layers: it carries an MLflow error code, which the server turns into
 * MLflow's error body and HTTP status, and the CLI into a one-line message.
 */
public final class MlvException extends RuntimeException {
    private final ErrorCode code;

    public MlvException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public MlvException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static MlvException invalid(String message) {
        return new MlvException(ErrorCode.INVALID_PARAMETER_VALUE, message);
    }

    public static MlvException notFound(String message) {
        return new MlvException(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);
    }

    public static MlvException alreadyExists(String message) {
        return new MlvException(ErrorCode.RESOURCE_ALREADY_EXISTS, message);
    }
}
