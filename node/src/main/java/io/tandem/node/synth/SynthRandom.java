package io.tandem.node.synth;

/**
 * SplitMix64: a tiny, fast, reseedable generator whose output depends only on its seed (never on the JVM), so the
 * synthesizer's output is reproducible everywhere.
 */
final class SynthRandom
{
    private long state;

    SynthRandom(final long seed)
    {
        state = seed;
    }

    void seed(final long seed)
    {
        state = seed;
    }

    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong()
    {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    int nextInt()
    {
        return (int)(nextLong() >>> 32);
    }

    int nextInt(final int bound)
    {
        return (int)(((nextLong() >>> 33) * bound) >>> 31);
    }

    int between(final int min, final int max)
    {
        return min + (int)(((nextLong() >>> 1) % ((long)max - min + 1)));
    }

    boolean nextBoolean()
    {
        return nextLong() < 0;
    }

    boolean percent(final double pct)
    {
        return (nextLong() >>> 11) * 0x1.0p-53 * 100.0 < pct;
    }
}
