import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, tempDir, waitForListening } from './process.js';

export const NGINX_SNIPPETS = resolve(import.meta.dirname, '../../../../docs/proxies/nginx');

export interface Nginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Runs a real nginx in the foreground with `httpBlock` as the body of its `http { }`; `PORT` is replaced. */
export async function startNginx(httpBlock: (port: number) => string): Promise<Nginx> {
  const dir = tempDir('latchkey-nginx-');
  const port = await freePort();
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${join(dir, 'error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  ${httpBlock(port)}
}`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForListening('nginx', url, child, () => out, 10_000);
  return {
    url,
    port,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGQUIT');
      }),
  };
}
