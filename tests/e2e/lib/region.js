// A demo region for the tests: `renkei demo up` in a fresh folder (hub, one edge process per
// facility, people to sign in as), the hub's API for assertions, TOTP codes computed here
// (RFC 6238: HMAC-SHA1, 30 s, 6 digits) without ever reusing a step for an account — the hub
// accepts a code once per account — and `renkei demo down` at the end, whatever happened.

import {execFile} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export function binary() {
  const b = process.env.RENKEI_BINARY || path.join(REPO, 'build/src/cli/renkei');
  if (!fs.existsSync(b)) throw new Error(`no renkei binary at ${b}: build it (scripts/build.sh renkei) or set RENKEI_BINARY`);
  return b;
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('bad base32');
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const value = ((mac[offset] & 0x7f) << 24 | mac[offset + 1] << 16 | mac[offset + 2] << 8 | mac[offset + 3]) % 1e6;
  return String(value).padStart(6, '0');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Region {
  constructor(flags = {}) {
    this.flags = {facilities: 5, hospitals: 3, patients: 200, years: 3, ...flags};
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-e2e-'));
    this.dir = path.join(this.root, 'demo');
    this.lastStep = new Map();
    this.tokens = new Map();
  }

  async up() {
    const f = this.flags;
    const args = ['demo', 'up', '--dir', this.dir, '--port', '0', '--facilities', String(f.facilities), '--hospitals', String(f.hospitals),
      '--patients', String(f.patients), '--years', String(f.years), '--json'];
    if (process.env.RENKEI_PORTAL_DIR) args.push('--portal-dir', process.env.RENKEI_PORTAL_DIR);
    const started = Date.now();
    const {stdout} = await run(binary(), args, {cwd: this.root, maxBuffer: 16 << 20, timeout: 600000});
    this.demo = JSON.parse(stdout);
    this.state = JSON.parse(fs.readFileSync(path.join(this.dir, 'demo.json'), 'utf8'));
    this.url = this.demo.portal_url.replace(/\/$/, '');
    this.upSeconds = (Date.now() - started) / 1000;
    return this;
  }

  async down() {
    if (!fs.existsSync(path.join(this.dir, 'demo.json'))) return;
    try {
      await run(binary(), ['demo', 'down', '--dir', this.dir], {cwd: this.root, timeout: 120000});
    } finally {
      if (!process.env.RENKEI_E2E_KEEP) fs.rmSync(this.root, {recursive: true, force: true});
    }
  }

  signIn(login) {
    const s = this.demo.sign_ins.find((x) => x.login === login);
    if (!s) throw new Error(`no sign-in ${login}`);
    return s;
  }

  // A code for `login` that the hub has not seen: this step's, or the next while this one was
  // used (the hub accepts one step either side); waits for the step after that otherwise.
  async code(login) {
    const secret = this.signIn(login).totp_secret;
    for (;;) {
      const now = Math.floor(Date.now() / 30000);
      const last = this.lastStep.get(login) ?? -Infinity;
      const step = Math.max(now, last + 1);
      if (step <= now + 1) {
        this.lastStep.set(login, step);
        return totp(secret, step);
      }
      await sleep(1000);
    }
  }

  // The API as `login` (a person's session made here) or with a facility's credential.
  async token(login) {
    if (this.tokens.has(login)) return this.tokens.get(login);
    const s = this.signIn(login);
    const r = await fetch(`${this.url}/v1/sessions`, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({login, password: s.password, code: await this.code(login)})});
    const body = await r.json();
    if (r.status !== 201) throw new Error(`sign-in ${login}: ${r.status} ${JSON.stringify(body)}`);
    this.tokens.set(login, body.token);
    return body.token;
  }

  async api(who, method, pathAndQuery, body) {
    const token = who.startsWith('facility:') ? this.state.tokens[who.slice(9)] : await this.token(who);
    const r = await fetch(`${this.url}/v1${pathAndQuery}`, {method, headers: {Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : {'Content-Type': 'application/json'})}, body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return {status: r.status, body: json};
  }

  // Whether the facility's SS-MIX2 tree holds a record of `dataType` (e.g. OML-11) for the patient.
  hasRecords(facility, localId, dataType) {
    const folder = path.join(this.dir, 'region', facility, localId.slice(0, 3), localId.slice(3, 6), localId);
    if (!fs.existsSync(folder)) return false;
    return fs.readdirSync(folder).some((d) => fs.existsSync(path.join(folder, d, dataType)));
  }

  // Local IDs at `facility` of patients with a document (SS-MIX2 extended storage, DS* folders).
  patientsWithDocuments(facility) {
    const out = [];
    const root = path.join(this.dir, 'region', facility);
    if (!fs.existsSync(root)) return out;
    for (const a of fs.readdirSync(root)) {
      for (const b of fs.readdirSync(path.join(root, a))) {
        for (const pid of fs.readdirSync(path.join(root, a, b))) {
          const dates = fs.readdirSync(path.join(root, a, b, pid));
          if (dates.some((d) => fs.readdirSync(path.join(root, a, b, pid, d)).some((x) => x.startsWith('DS')))) out.push(pid);
        }
      }
    }
    return out.sort();
  }
}
