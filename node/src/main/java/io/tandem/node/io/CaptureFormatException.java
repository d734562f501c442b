package io.tandem.node.io;

/**
 * Thrown when a file handed to a capture-file source is not a capture at all: bad magic, shorter than its header,
 * a directory, missing or unreadable. The message names the file and says what was expected. A capture that is
 * merely torn at its tail does not throw; see {@link PcapFileSource#torn()}.
 */
public final class CaptureFormatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A file that is not a capture.
     *
     * @param message naming the file and what was expected.
     */
    public CaptureFormatException(final String message)
    {
        super(message);
    }

    /**
     * A file that could not be read as a capture because of an I/O failure.
     *
     * @param message naming the file and what went wrong.
     * @param cause   the underlying failure.
     */
    public CaptureFormatException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
