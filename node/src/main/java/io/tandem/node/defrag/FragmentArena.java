package io.tandem.node.defrag;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Bounded byte storage for fragment bytes: fixed-size blocks chained into runs, taken from and returned to a free
 * list. Blocks live in chunks that are allocated up front ({@code prealloc}) or on demand up to the cap, so no
 * allocation happens per fragment and the bytes held never exceed the cap.
 */
final class FragmentArena
{
    static final int BLOCK_SHIFT = 8;
    static final int BLOCK_SIZE = 1 << BLOCK_SHIFT;
    private static final int CHUNK_BLOCK_SHIFT = 12;
    private static final int CHUNK_BLOCKS = 1 << CHUNK_BLOCK_SHIFT;
    private static final int NONE = -1;

    private final byte[][] chunks;
    private final int[][] nextBlock;
    private final int maxBlocks;
    private int chunksAllocated;
    private int freeHead = NONE;
    private int freeCount;
    private int blocksInUse;

    FragmentArena(final long capBytes, final boolean prealloc)
    {
        final long blocks = Math.min(capBytes >> BLOCK_SHIFT, Integer.MAX_VALUE - CHUNK_BLOCKS);
        maxBlocks = (int)blocks;
        final int chunkCount = (maxBlocks + CHUNK_BLOCKS - 1) >>> CHUNK_BLOCK_SHIFT;
        chunks = new byte[chunkCount][];
        nextBlock = new int[chunkCount][];
        if (prealloc)
        {
            while (chunksAllocated < chunkCount)
            {
                addChunk();
            }
        }
    }

    int blocksFor(final int length)
    {
        return (length + BLOCK_SIZE - 1) >>> BLOCK_SHIFT;
    }

    long bytesInUse()
    {
        return (long)blocksInUse << BLOCK_SHIFT;
    }

    boolean canAllocate(final int length)
    {
        return blocksFor(length) <= maxBlocks - blocksInUse;
    }

    /**
     * Take a run of blocks holding {@code length} bytes.
     *
     * @param length bytes, at least 1.
     * @return first block, or -1 when the cap would be exceeded.
     */
    int allocate(final int length)
    {
        final int needed = blocksFor(length);
        if (needed > maxBlocks - blocksInUse)
        {
            return NONE;
        }
        while (freeCount < needed)
        {
            addChunk();
        }
        final int first = freeHead;
        int last = first;
        for (int i = 1; i < needed; i++)
        {
            last = next(last);
        }
        freeHead = next(last);
        next(last, NONE);
        freeCount -= needed;
        blocksInUse += needed;
        return first;
    }

    /**
     * Return a run of blocks.
     *
     * @param first block of the run.
     */
    void free(final int first)
    {
        int block = first;
        int count = 0;
        int last = NONE;
        while (block != NONE)
        {
            last = block;
            count++;
            block = next(block);
        }
        if (last != NONE)
        {
            next(last, freeHead);
            freeHead = first;
            freeCount += count;
            blocksInUse -= count;
        }
    }

    /**
     * Copy bytes into a run at a position.
     *
     * @param first    block of the run.
     * @param position byte position in the run.
     * @param src      source.
     * @param srcIndex first source byte.
     * @param length   bytes to copy.
     */
    void write(final int first, final int position, final DirectBuffer src, final int srcIndex, final int length)
    {
        int block = first;
        for (int i = position >>> BLOCK_SHIFT; i > 0; i--)
        {
            block = next(block);
        }
        int within = position & (BLOCK_SIZE - 1);
        int done = 0;
        while (done < length)
        {
            final int n = Math.min(BLOCK_SIZE - within, length - done);
            src.getBytes(srcIndex + done, chunks[block >>> CHUNK_BLOCK_SHIFT], blockStart(block) + within, n);
            done += n;
            within = 0;
            if (done < length)
            {
                block = next(block);
            }
        }
    }

    /**
     * Copy bytes out of a run.
     *
     * @param first    block of the run.
     * @param position byte position in the run.
     * @param dst      destination.
     * @param dstIndex first destination byte.
     * @param length   bytes to copy.
     */
    void read(final int first, final int position, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        int block = first;
        for (int i = position >>> BLOCK_SHIFT; i > 0; i--)
        {
            block = next(block);
        }
        int within = position & (BLOCK_SIZE - 1);
        int done = 0;
        while (done < length)
        {
            final int n = Math.min(BLOCK_SIZE - within, length - done);
            dst.putBytes(dstIndex + done, chunks[block >>> CHUNK_BLOCK_SHIFT], blockStart(block) + within, n);
            done += n;
            within = 0;
            if (done < length)
            {
                block = next(block);
            }
        }
    }

    private static int blockStart(final int block)
    {
        return (block & (CHUNK_BLOCKS - 1)) << BLOCK_SHIFT;
    }

    private int next(final int block)
    {
        return nextBlock[block >>> CHUNK_BLOCK_SHIFT][block & (CHUNK_BLOCKS - 1)];
    }

    private void next(final int block, final int value)
    {
        nextBlock[block >>> CHUNK_BLOCK_SHIFT][block & (CHUNK_BLOCKS - 1)] = value;
    }

    private void addChunk()
    {
        final int chunk = chunksAllocated++;
        final int base = chunk << CHUNK_BLOCK_SHIFT;
        final int blocks = Math.min(CHUNK_BLOCKS, maxBlocks - base);
        chunks[chunk] = new byte[blocks << BLOCK_SHIFT];
        final int[] links = new int[blocks];
        nextBlock[chunk] = links;
        for (int i = 0; i < blocks - 1; i++)
        {
            links[i] = base + i + 1;
        }
        links[blocks - 1] = freeHead;
        freeHead = base;
        freeCount += blocks;
    }
}
