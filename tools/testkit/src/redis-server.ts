import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

/** TLS files for `startRedisServer({ tls })` (paths to PEM files). */
export interface RedisTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Options of `startRedisServer`. */
export interface RedisServerOptions {
  /** Port; default a free port found on 127.0.0.1. */
  port?: number;
  /** `requirepass`: clients must AUTH with it; default none. */
  password?: string;
  /** Serve TLS only (`--port 0 --tls-port <port>`); default plain TCP. */
  tls?: RedisTlsFiles;
  /** The redis-server binary; default `redis-server` on PATH. */
  binary?: string;
}

/**
 * A private redis-server with no persistence (`--save '' --appendonly no`), so a
 * kill or restart loses everything, as a Redis without AOF does.
 */
export interface RedisServer {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:<port>` (or `rediss://` with TLS). */
  readonly url: string;
  /** The running process (changes after `restart()`). */
  readonly process: ChildProcess;
  /** SIGKILLs the server (no-op when not running). */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  restart(): Promise<void>;
  /** Stops the server (SIGKILL); idempotent. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts a private, empty, non-persistent redis-server on loopback; see `RedisServer`. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`port must be 1..65535, got ${options.port}`);
  }
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
  if (options.tls) {
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      options.tls.cert,
      '--tls-key-file',
      options.tls.key,
      '--tls-ca-cert-file',
      options.tls.ca,
      '--tls-auth-clients',
      'no',
    );
  } else {
    args.push('--port', String(port));
  }
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const binary = options.binary ?? 'redis-server';
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const url = `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`;

  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    // ready once the port accepts connections
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`redis-server on port ${port} exited: ${output.trim().slice(-500)}`);
      }
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not start: ${output.trim().slice(-500)}`);
  };
  await launch();
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url,
    get process() {
      return child;
    },
    kill,
    async restart() {
      await kill();
      await launch();
    },
    close: kill,
  };
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
