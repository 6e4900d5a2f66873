#!/usr/bin/env node
// Point the app at the operator's own Recoup backend before `stripe apps upload`:
//   npm run set-host -- https://recoup.example-company.com/
// Rewrites constants.API_BASE and the connect-src entry that lets the views call it.
import {readFileSync, writeFileSync} from 'fs';
import path from 'path';
import {fileURLToPath} from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifestPath = process.env.RECOUP_MANIFEST ?? path.resolve(here, '..', 'stripe-app.json');

function fail(message) {
  console.error(`set-host: ${message}`);
  process.exit(2);
}

const [given] = process.argv.slice(2);
if (!given) {
  fail('give the public https address of your Recoup backend, e.g. https://recoup.example-company.com/');
}
let url;
try {
  url = new URL(given);
} catch {
  fail(`${given} is not a URL`);
}
if (url.protocol !== 'https:') {
  fail('the Dashboard only reaches backends over https');
}
if (url.hostname.endsWith('.example')) {
  fail(`${url.hostname} is a placeholder, not your host`);
}
const base = url.toString().endsWith('/') ? url.toString() : `${url.toString()}/`;
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.constants = {...(manifest.constants ?? {}), API_BASE: base};
manifest.ui_extension.content_security_policy['connect-src'] = [`${base}api/v1/`];
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`set-host: the app now calls ${base}api/v1/ (${manifestPath})`);
