package io.tandem.node.cli;

import picocli.CommandLine;

/**
 * Version string from the jar manifest, or "dev" when run from classes.
 */
public final class VersionProvider implements CommandLine.IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        final String version = TandemCommand.class.getPackage().getImplementationVersion();
        return new String[] { "tandem " + (version == null ? "dev" : version) };
    }
}
