import Ajv, {type ErrorObject} from 'ajv';
import addFormats from 'ajv-formats';
import {execFileSync} from 'child_process';
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync} from 'fs';
import {tmpdir} from 'os';
import path from 'path';

import {apiUrl} from './api/client';

const appDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(appDir, '..');
// Stripe's CLI reads stripe-app.json beside package.json and src/; the repository shows it at the top too.
const manifestPath = path.join(appDir, 'stripe-app.json');
const topLevelManifestPath = path.join(repoRoot, 'stripe-app.json');
const localManifestPath = path.join(appDir, 'stripe-app.local.json');
const setHostScript = path.join(appDir, 'scripts', 'set-host.mjs');
const bundledSchema = path.join(appDir, 'schema', 'stripe-app.schema.json');
// Where the project's shared notes keep the same schema, next to the repository; optional.
const sharedSchema = path.resolve(repoRoot, '..', 'shared', 'schema', 'stripe-app.schema.json');

type Manifest = {
  icon: string;
  permissions: {permission: string; purpose: string}[];
  ui_extension: {
    views: {viewport: string; component: string}[];
    content_security_policy: {'connect-src'?: string[] | null};
  };
  constants?: Record<string, unknown> | null;
};

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const manifest = readJson(manifestPath) as Manifest;

function validatorFor(schemaFile: string) {
  const schema = readJson(schemaFile) as Record<string, unknown>;
  // The schema names draft-07 without the trailing '#', which Ajv does not recognise as its meta-schema.
  delete schema.$schema;
  const ajv = new Ajv({allErrors: true, strict: false});
  addFormats(ajv);
  return ajv.compile(schema);
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('\n');
}

function allowedBy(connectSrc: string[], url: string): boolean {
  // A connect-src entry ending in '/' allows everything below it; any other entry allows itself only.
  return connectSrc.some((entry) => (entry.endsWith('/') ? url.startsWith(entry) : url === entry));
}

const schemaFiles: [string, string][] = [
  ['the copy in stripe-app/schema', bundledSchema],
  ['shared/schema beside the repository', sharedSchema],
].filter(([, file]) => existsSync(file)) as [string, string][];

describe('stripe-app.json', () => {
  it.each(schemaFiles)('is valid against the schema in %s', (_where, schemaFile) => {
    const validate = validatorFor(schemaFile);

    const valid = validate(manifest);

    expect(describeErrors(validate.errors)).toBe('');
    expect(valid).toBe(true);
  });

  it('would be rejected with a permission Stripe does not know', () => {
    const validate = validatorFor(bundledSchema);
    const broken = {...manifest, permissions: [...manifest.permissions, {permission: 'invoice_delete', purpose: 'x'}]};

    expect(validate(broken)).toBe(false);
  });

  it('has a view component file in src/views for every view', () => {
    const files = new Set(readdirSync(path.join(appDir, 'src', 'views')));

    for (const view of manifest.ui_extension.views) {
      expect(files).toContain(`${view.component}.tsx`);
    }
  });

  it('places the views where merchants meet Recoup', () => {
    expect(manifest.ui_extension.views).toEqual([
      {viewport: 'settings', component: 'AppSettings'},
      {viewport: 'stripe.dashboard.invoice.detail', component: 'InvoiceRecovery'},
      {viewport: 'stripe.dashboard.home.overview', component: 'RecoveryOverview'},
      {viewport: 'stripe.dashboard.customer.detail', component: 'CustomerRecoveries'},
      {viewport: 'stripe.dashboard.subscription.detail', component: 'SubscriptionRecoveries'},
    ]);
  });

  it('is one file, seen both at the top of the repository and beside package.json', () => {
    expect(realpathSync(topLevelManifestPath)).toBe(realpathSync(manifestPath));
    expect(existsSync(path.join(appDir, 'package.json'))).toBe(true);
    expect(existsSync(path.join(appDir, 'src', 'views'))).toBe(true);
  });

  it('names only paths that exist when read from the app folder', () => {
    const icon = path.resolve(appDir, manifest.icon);

    expect(manifest.icon.startsWith('./')).toBe(true);
    expect(icon.startsWith(appDir + path.sep)).toBe(true);
    expect(existsSync(icon)).toBe(true);
  });

  it('lets the views reach every API route under constants.API_BASE', () => {
    const base = manifest.constants?.API_BASE;
    const connectSrc = manifest.ui_extension.content_security_policy['connect-src'] ?? [];

    expect(typeof base).toBe('string');
    for (const route of ['api/v1/settings', 'api/v1/overview', 'api/v1/recoveries', 'api/v1/invoices/in_1/recovery/actions']) {
      expect(allowedBy(connectSrc, apiUrl(base as string, route).toString())).toBe(true);
    }
  });

  it('points at a 300×300 PNG icon', () => {
    const png = readFileSync(path.resolve(appDir, manifest.icon));

    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(300);
    expect(png.readUInt32BE(20)).toBe(300);
  });

  it('explains every permission it asks for', () => {
    const names = manifest.permissions.map((entry) => entry.permission);

    expect(new Set(names).size).toBe(names.length);
    for (const entry of manifest.permissions) {
      expect(entry.purpose.length).toBeGreaterThan(20);
    }
  });
});

type LocalManifest = {
  extends: string;
  constants: {API_BASE: string};
  ui_extension: {content_security_policy: {'connect-src': string[]}};
};

describe('stripe-app.local.json (for `stripe apps start --manifest stripe-app.local.json`)', () => {
  const local = readJson(localManifestPath) as LocalManifest;

  it('extends the main manifest and points the views at a backend on this computer', () => {
    const connectSrc = local.ui_extension.content_security_policy['connect-src'];

    expect(path.basename(localManifestPath)).toMatch(/^stripe-app\.[a-zA-Z0-9-_]+\.json$/);
    expect(local.extends).toBe('stripe-app.json');
    expect(existsSync(path.join(appDir, local.extends))).toBe(true);
    expect(new URL(local.constants.API_BASE).hostname).toBe('localhost');
    expect(allowedBy(connectSrc, apiUrl(local.constants.API_BASE, 'api/v1/overview').toString())).toBe(true);
  });

  it('still makes a valid manifest once merged over the main one', () => {
    const validate = validatorFor(bundledSchema);
    const {extends: _base, ...overrides} = local;
    const merged = {
      ...manifest,
      ...overrides,
      ui_extension: {
        ...manifest.ui_extension,
        content_security_policy: {
          ...manifest.ui_extension.content_security_policy,
          ...overrides.ui_extension.content_security_policy,
        },
      },
    };

    expect(validate(merged)).toBe(true);
  });
});

describe('npm run set-host', () => {
  function setHost(host: string): {manifest: Manifest; status: number; stderr: string} {
    const dir = mkdtempSync(path.join(tmpdir(), 'recoup-manifest-'));
    const copy = path.join(dir, 'stripe-app.json');
    copyFileSync(manifestPath, copy);
    try {
      execFileSync(process.execPath, [setHostScript, host], {env: {...process.env, RECOUP_MANIFEST: copy}, stdio: 'pipe'});
      return {manifest: readJson(copy) as Manifest, status: 0, stderr: ''};
    } catch (error) {
      const failed = error as {status: number; stderr: Buffer};
      return {manifest: readJson(copy) as Manifest, status: failed.status, stderr: failed.stderr.toString()};
    }
  }

  it("points API_BASE and connect-src at the operator's host", () => {
    const {manifest: changed, status} = setHost('https://recoup.acme.test');

    expect(status).toBe(0);
    expect(changed.constants?.API_BASE).toBe('https://recoup.acme.test/');
    expect(changed.ui_extension.content_security_policy['connect-src']).toEqual(['https://recoup.acme.test/api/v1/']);
    expect(validatorFor(bundledSchema)(changed)).toBe(true);
  });

  it('refuses the placeholder and plain http, leaving the manifest as it was', () => {
    for (const host of ['https://api.recoup.example/', 'http://recoup.acme.test/']) {
      const {manifest: unchanged, status, stderr} = setHost(host);

      expect(status).toBe(2);
      expect(stderr).toMatch(/set-host:/);
      expect(unchanged).toEqual(manifest);
    }
  });
});
