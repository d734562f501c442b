package io.tandem.node.ha;

import java.io.IOException;

/**
 * A file given as a HA file does not start with the HA file header.
 */
public final class NotAnHaFileException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * Refuse a file.
     *
     * @param message which file and why.
     */
    public NotAnHaFileException(final String message)
    {
        super(message);
    }
}
