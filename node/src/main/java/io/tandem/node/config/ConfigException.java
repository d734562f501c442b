package io.tandem.node.config;

import java.util.List;

/**
 * A configuration that cannot be used: an unknown key, a value of the wrong type or out of range, a malformed
 * {@code --set} argument or an unreadable file. The message names the full key path, the bad value and what is
 * allowed; when several problems were found, one per line.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * One problem.
     *
     * @param message the problem, starting with the key path it concerns.
     */
    public ConfigException(final String message)
    {
        super(message);
        this.problems = List.of(message);
    }

    /**
     * One problem with its underlying cause.
     *
     * @param message the problem.
     * @param cause   what went wrong underneath (I/O, YAML syntax).
     */
    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.problems = List.of(message);
    }

    /**
     * Several problems found in one pass, reported together.
     *
     * @param problems the problems, at least one.
     */
    public ConfigException(final List<String> problems)
    {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Each problem found, one line each.
     *
     * @return the problems, in the order found.
     */
    public List<String> problems()
    {
        return problems;
    }
}
