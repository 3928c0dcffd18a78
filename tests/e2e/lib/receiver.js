// `renkei example-service reception` for the tests: as a service's webhook receiver (each
// notification it verified, once, as a JSON line on its standard output, after a line saying
// where it listens) and as the service's client (--receive writes a reception and prints the
// hub's answer). The secrets are those the operator portal showed, written to files as a
// service's developer would.

import {spawn, execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {binary} from './region.js';

const run = promisify(execFile);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ExampleService {
  // hub: the hub's origin; credentials: {client_id, client_secret, signing_secret}
  constructor(hub, credentials) {
    this.hub = hub;
    this.clientId = credentials.client_id;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-e2e-service-'));
    this.clientSecretFile = path.join(this.dir, 'client-secret');
    fs.writeFileSync(this.clientSecretFile, `${credentials.client_secret}\n`, {mode: 0o600});
    if (credentials.signing_secret) {
      this.signingSecretFile = path.join(this.dir, 'signing-secret');
      fs.writeFileSync(this.signingSecretFile, `${credentials.signing_secret}\n`, {mode: 0o600});
    }
    this.notifications = [];
    this.said = '';
    this.stderr = '';
    this.child = null;
  }

  args() {
    return ['example-service', 'reception', '--hub', this.hub, '--client-id', this.clientId, '--client-secret-file', this.clientSecretFile];
  }

  // Starts the webhook receiver on a free port; resolves to its webhook URL.
  async listen() {
    this.child = spawn(binary(), [...this.args(), '--signing-secret-file', this.signingSecretFile, '--listen', '127.0.0.1:0', '--json'],
      {stdio: ['ignore', 'pipe', 'pipe']});
    let pending = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      pending += chunk;
      let at;
      while ((at = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, at).trim();
        pending = pending.slice(at + 1);
        if (line.startsWith('{')) this.notifications.push(JSON.parse(line));
        else if (line) this.said += `${line}\n`;  // where it listens
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    for (let i = 0; i < 300; i += 1) {
      const m = /listening on (\S+)/.exec(this.said + this.stderr);
      if (m) return m[1];
      if (this.child.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`the example service did not start: ${this.stderr}`);
  }

  // Waits until a notification satisfies `predicate` (or fails after `ms`).
  async waitFor(predicate, what, ms = 60000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const found = this.notifications.find(predicate);
      if (found) return found;
      await sleep(100);
    }
    throw new Error(`the receiver got no ${what}; it has ${JSON.stringify(this.notifications).slice(0, 2000)}; stderr ${this.stderr}`);
  }

  // Writes a reception for the patient (--receive FACILITY/LOCAL_ID): the hub's answer.
  async receive(facility, localId, reason) {
    const {stdout} = await run(binary(), [...this.args(), '--receive', `${facility}/${localId}`, '--reason', reason],
      {timeout: 60000, maxBuffer: 16 << 20});
    return JSON.parse(stdout);
  }

  async stop() {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

// Polls `fn` until it returns a truthy value (or fails after `ms`).
export async function eventually(fn, what, ms = 60000) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    last = await fn();
    if (last) return last;
    await sleep(200);
  }
  throw new Error(`never: ${what}`);
}
