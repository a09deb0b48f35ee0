// The floor of intake on this machine, for bench:ingest --intake-only: a bare node:http server doing what intake
// must do at the least — read the JSON body, insert one row into PostgreSQL, push the id onto a Redis list, answer
// 201 with the id — with no framework, validation, redaction, audit or queue library. Its latency at the same
// offered rate, measured in the same run, is what the machine allows; the platform's is compared with it.
// Environment: DATABASE_URL, REDIS_URL; prints `listening <port>` once it takes requests.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, min: 10 });
const redis = new Redis(process.env.REDIS_URL!);
await pool.query(
  'create table if not exists bench_floor (id uuid primary key, description text not null, created_at timestamptz not null default now())',
);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = async () => {
      const { description } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { description: string };
      const id = randomUUID();
      await pool.query('insert into bench_floor (id, description) values ($1, $2)', [id, description]);
      await redis.lpush('bench_floor', id);
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    };
    answer().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as { port: number }).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
  redis.disconnect();
});
