// Streaming tar.gz for file backups (tar-stream + node:zlib): entries go to disk one chunk at a time and are read
// back the same way, so memory stays at a few chunks whatever the size of the tree.
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { TwisterError } from '../../core/errors.ts';

export interface ArchiveEntry {
  name: string;
  kind: 'file' | 'dir';
  mode: number;
  size: number;
  /** The entry's bytes; read them before asking for the next entry (unread bytes are skipped). */
  data: AsyncIterable<Buffer>;
}

export interface ArchiveWriter {
  /** The gzipped archive, to be consumed while entries are added. */
  readonly output: AsyncIterable<Buffer>;
  dir(name: string, mode: number): Promise<void>;
  /** Exactly `size` bytes must come from `data`: the header is written first. */
  file(name: string, mode: number, size: number, data: AsyncIterable<Buffer> | Buffer): Promise<void>;
  finish(): void;
  abort(error: Error): void;
}

export function archiveWriter(): ArchiveWriter {
  const pack = tar.pack();
  const gzip = createGzip();
  pack.pipe(gzip);
  pack.on('error', (error: Error) => gzip.destroy(error));
  return {
    output: gzip,
    async dir(name, mode) {
      await new Promise<void>((resolve, reject) => {
        pack.entry({ name, type: 'directory', mode, mtime: new Date(0) }, (error) =>
          error ? reject(error) : resolve(),
        );
      });
    },
    async file(name, mode, size, data) {
      let sink: ReturnType<typeof pack.entry> | undefined;
      const written = new Promise<void>((resolve, reject) => {
        sink = pack.entry({ name, type: 'file', mode, size, mtime: new Date(0) }, (error) =>
          error ? reject(error) : resolve(),
        );
      });
      for await (const chunk of Buffer.isBuffer(data) ? [data] : data) {
        if (!sink!.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
      }
      sink!.end(undefined);
      await written;
    },
    finish: () => pack.finalize(),
    abort: (error) => pack.destroy(error),
  };
}

const corrupt = (message: string, cause?: unknown) =>
  new TwisterError('BACKUP_CORRUPT', `archive unreadable: ${message}`, undefined, { cause });

/** A damaged archive shows while an entry's bytes are read: that is BACKUP_CORRUPT too. */
async function* corruptOnError(data: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* data;
  } catch (error) {
    throw error instanceof TwisterError ? error : corrupt((error as Error).message, error);
  }
}

/** The entries of a tar.gz file in order; a damaged archive or an entry that is not a file or directory is BACKUP_CORRUPT. */
export async function* readArchive(file: string, signal?: AbortSignal): AsyncGenerator<ArchiveEntry> {
  const extract = tar.extract();
  // A failure anywhere in the chain (unreadable file, damaged gzip) ends the entries with that error.
  const reading = pipeline(createReadStream(file), createGunzip(), extract as unknown as NodeJS.WritableStream, {
    signal,
  }).then(
    () => undefined,
    (error: unknown) => {
      extract.destroy(error as Error);
      return error as Error;
    },
  );
  let whole = false;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      if (header.type !== 'file' && header.type !== 'directory')
        throw corrupt(`unexpected ${header.type} entry ${header.name}`);
      yield {
        name: header.name.replace(/\/$/, ''),
        kind: header.type === 'file' ? 'file' : 'dir',
        mode: header.mode,
        size: header.size,
        data: corruptOnError(entry as AsyncIterable<Buffer>),
      };
      entry.resume();
    }
    whole = true;
  } catch (error) {
    if (error instanceof TwisterError) throw error;
    throw corrupt((error as Error).message, error);
  } finally {
    // A reader that stops early (or fails) ends the pipeline; its "premature close" is not news.
    if (!whole) extract.destroy();
  }
  const failure = await reading;
  if (failure) throw corrupt(failure.message, failure);
}
