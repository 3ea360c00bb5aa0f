package dev.mlv.cli;

import picocli.CommandLine;

/** A {@code --port} value: a TCP port, 0 to 65535 (0: a free one). */
public final class PortConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a port: use 0 to 65535 (0 picks a free one)");
    }
}
