#!/usr/bin/env node
// `npm run openapi`: starts the built server on a throwaway embedded database, saves its OpenAPI
// document as docs/openapi.json and generates the console's API types (web/src/api/schema.ts)
// from it. server/test/openapi-document.e2e-spec.ts fails when either file is out of date.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCUMENT_FILE, DOCUMENT_PATH, documentText, SCHEMA_FILE, schemaText } from './openapi-document.mjs';

const root = path.resolve(import.meta.dirname, '..');
const MAIN = path.join(root, 'server/dist/src/main.js');
const START_TIMEOUT_MS = 90_000;

/** The built server as a child process on a free port; resolves once it prints its URL. */
const startServer = (dataDir) =>
  new Promise((resolve, reject) => {
    // Only what the server needs: a DATABASE_URL or demo setting from the caller's shell must not leak in.
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIGNALBOX_DEMO: 'false', SIGNALBOX_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const match = /console (http:\/\/[^/\s]+)\//.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1].replace('localhost', '127.0.0.1'),
        output: () => output,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });

const fetchDocument = async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signalbox-openapi-'));
  try {
    const server = await startServer(dataDir);
    try {
      const res = await fetch(`${server.url}${DOCUMENT_PATH}`);
      if (!res.ok) throw new Error(`GET ${DOCUMENT_PATH} answered ${res.status}`);
      const document = await res.json();
      // @nestjs/swagger keeps one of two DTO classes with the same name and only warns: the other
      // endpoint would be documented, and typed in the console, with the wrong schema.
      const duplicate = /Duplicate DTO detected: \\?"(\w+)/.exec(server.output());
      if (duplicate) throw new Error(`two DTO classes are named ${duplicate[1]}: rename one, the OpenAPI document can hold only one of them`);
      return document;
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

const write = (file, text) => {
  const changed = !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
  if (changed) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  process.stdout.write(`${path.relative(root, file)}: ${changed ? 'updated' : 'unchanged'}\n`);
};

try {
  const document = documentText(await fetchDocument());
  write(DOCUMENT_FILE, document);
  write(SCHEMA_FILE, await schemaText(document));
} catch (err) {
  process.stderr.write(`npm run openapi: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
