package io.tandem.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem}: the command-line entry point. Each subcommand is its own class in this package.
 */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "High-availability TCP/UDP stream tracker.",
    subcommands = {
        AnalyzeCommand.class,
        RunCommand.class,
        SynthCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        HaDumpCommand.class,
        ReplayCommand.class,
        CommandLine.HelpCommand.class })
public final class TandemCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.err);
    }

    /**
     * Build the command line with every subcommand registered.
     *
     * @return the picocli command line.
     */
    public static CommandLine commandLine()
    {
        return new CommandLine(new TandemCommand());
    }

    /**
     * Entry point.
     *
     * @param args command-line arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }
}
