import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { DEFAULT_AUDIT_POLICY, startApiServer, type AuditLogFiles } from './apiserver.js';
import { binariesInDir, resolveBinaries, type Binaries } from './binaries.js';
import { registerCleanup, unregisterCleanup, type Cleanup } from './cleanup.js';
import { installCrds, yamlFilesIn } from './crds.js';
import { startEtcd } from './etcd.js';
import { gatewayApiCrdDir } from './gateway-api-crds.js';
import { DEFAULT_MESH_APIS, checkMeshApis, type MeshApi } from './mesh-apis.js';
import { Identities } from './identities.js';
import { adminApi } from './http.js';
import type { ChildProcess } from 'node:child_process';
import { kubectlFor, stopKubectls, type KubectlResult } from './kubectl.js';
import { repoRoot } from './paths.js';
import { createPki, type KeyPair } from './pki.js';
import { ProcessGroup } from './processes.js';
import { smiCrdDir } from './smi-crds.js';
import { startWorkloads } from './workloads.js';

export interface ControlPlaneOptions {
  /** Default: resolveBinaries() (KUBEBUILDER_ASSETS, else the build cache). */
  binDir?: string;
  /**
   * The routing APIs the mesh serves, whose CRDs are installed: 'smi' (TrafficSplit,
   * HTTPRouteGroup from <repo>/dev/local/smi-crds) and/or 'gatewayapi' (the Gateway API
   * standard-channel CRDs cached by hack/fetch-gateway-api-crds.sh; a missing cache throws
   * WL_LOCAL_GATEWAY_API_CRDS_MISSING). @default ['smi']
   */
  meshApis?: readonly MeshApi[];
  /**
   * Default: <repo>/crds, then <repo>/dev/local/smi-crds with 'smi' (unless smiCrdFiles), then the
   * cached Gateway API CRDs with 'gatewayapi'. Given, exactly these directories (plus smiCrdFiles).
   */
  crdDirs?: string[];
  /** SMI CRD files to install instead of <repo>/dev/local/smi-crds (writeTrafficSplitVariant). */
  smiCrdFiles?: string[];
  /** Default true: run kube-controller-manager (+ kube-scheduler and kwok when available). */
  controllerManager?: boolean;
  /** Where component logs go (default <dir>/logs, removed by stop()). */
  logDir?: string;
  /** Default: a silent logger. */
  logger?: Logger;
  /** Deadline for each readiness wait (default 60 s: a loaded CI machine is slow, not broken). */
  readyTimeoutMs?: number;
  /**
   * Opt-in kube-apiserver audit log (JSON lines) at `path`, which outlives stop(); `policy` is an
   * audit.k8s.io/v1 Policy as YAML (default DEFAULT_AUDIT_POLICY: metadata of every request).
   */
  auditLog?: { path: string; policy?: string };
}

export interface ControlPlane {
  readonly server: string;
  readonly dir: string;
  readonly binDir: string;
  readonly adminKubeconfig: string;
  readonly controllerKubeconfig: string;
  readonly podsRunByKwok: boolean;
  /** The routing APIs whose CRDs were installed (ControlPlaneOptions.meshApis); absent: ['smi']. */
  readonly meshApis?: readonly MeshApi[];
  /**
   * The CA (PEM paths) that signed the serving certificate and every client certificate; its key
   * lets another process mint identities (mintKubeconfig).
   */
  readonly ca: KeyPair;
  readonly logDir: string;
  /** Milliseconds from the call to ready (binaries resolved, CRDs Established, node Ready). */
  readonly startupMs: number;
  /** Why something optional is missing (no kwok, no controller manager...). */
  readonly notes: readonly string[];
  kubeconfigFor(user: string, groups?: string[]): Promise<string>;
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string }): Promise<KubectlResult>;
  stop(): Promise<void>;
}

/** One directory holding every binary: the shared one when there is one, else symlinks in `dir`. */
async function binDirFor(bins: Binaries, dir: string): Promise<string> {
  const paths = [
    bins.kubeApiserver,
    bins.etcd,
    bins.kubectl,
    bins.kubeControllerManager,
    bins.kubeScheduler,
    bins.kwok,
  ];
  const present = paths.filter((p): p is string => p !== undefined);
  const dirs = new Set(present.map((p) => dirname(p)));
  const [only] = dirs;
  if (dirs.size === 1 && only !== undefined) return only;
  const farm = join(dir, 'bin');
  await mkdir(farm);
  await Promise.all(present.map((p) => symlink(p, join(farm, basename(p)))));
  return farm;
}

async function auditFiles(
  dir: string,
  opt: ControlPlaneOptions['auditLog'],
): Promise<AuditLogFiles | undefined> {
  if (opt === undefined) return undefined;
  const policyFile = join(dir, 'audit-policy.yaml');
  await writeFile(policyFile, opt.policy ?? DEFAULT_AUDIT_POLICY);
  await mkdir(dirname(opt.path), { recursive: true });
  return { path: opt.path, policyFile };
}

/** Where the CRDs come from: see ControlPlaneOptions.meshApis and crdDirs. */
async function crdDirsFor(
  opts: ControlPlaneOptions,
  meshApis: readonly MeshApi[],
): Promise<string[]> {
  if (opts.smiCrdFiles !== undefined && !meshApis.includes('smi')) {
    throw new RangeError("smiCrdFiles was given but meshApis does not include 'smi'");
  }
  if (opts.crdDirs !== undefined) return opts.crdDirs;
  const root = repoRoot();
  const smi = meshApis.includes('smi') && opts.smiCrdFiles === undefined;
  return [
    join(root, 'crds'),
    ...(smi ? [smiCrdDir(root)] : []),
    ...(meshApis.includes('gatewayapi') ? [await gatewayApiCrdDir()] : []),
  ];
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = performance.now();
  const logger = opts.logger ?? pino({ level: 'silent' });
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  const meshApis = checkMeshApis(opts.meshApis ?? DEFAULT_MESH_APIS);
  // Before anything starts: a missing Gateway API cache fails at once, naming its command.
  const crdDirs = await crdDirsFor(opts, meshApis);
  const bins =
    opts.binDir === undefined ? await resolveBinaries({ logger }) : binariesInDir(opts.binDir);
  const notes = [...bins.notes];
  const dir = await mkdtemp(join(tmpdir(), 'weightlifter-cp-'));
  const logDir = opts.logDir ?? join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const log = logger.child({ component: 'local-control-plane', dir });
  const procs = new ProcessGroup(dir, logDir, log);
  const kubectls = new Set<ChildProcess>();
  let stopping: Promise<void> | undefined;
  const cleanup: Cleanup = {
    stop: () =>
      (stopping ??= (async () => {
        await stopKubectls(kubectls);
        await procs.stop();
        await rm(dir, { recursive: true, force: true });
        unregisterCleanup(cleanup);
        log.info('stopped');
      })()),
    stopNow: () => {
      for (const child of kubectls) child.kill('SIGKILL');
      procs.killNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  registerCleanup(cleanup);
  try {
    const pki = await createPki(join(dir, 'pki'));
    const ids = new Identities(pki, dir);
    const [admin, controller] = await Promise.all([ids.cert('admin'), ids.cert('controller')]);
    const etcd = await startEtcd(procs, bins.etcd, timeoutMs);
    const audit = await auditFiles(dir, opts.auditLog);
    const apiServer = await startApiServer(
      procs,
      bins.kubeApiserver,
      pki,
      etcd.clientUrl,
      admin,
      timeoutMs,
      audit,
    );
    ids.setServer(apiServer.server);
    const adminKubeconfig = await ids.kubeconfig('admin', admin);
    const controllerKubeconfig = await ids.kubeconfig('controller', controller);
    const kubectl = kubectlFor(bins.kubectl, adminKubeconfig, join(dir, 'kubectl-cache'), kubectls);
    const api = adminApi(apiServer.server, { ca: pki.ca.cert, client: admin });

    const crdFiles = [...(await yamlFilesIn(crdDirs)), ...(opts.smiCrdFiles ?? [])];
    const crdsInstalled = installCrds(kubectl, api, crdFiles, timeoutMs);

    const [workloads] = await Promise.all([
      startWorkloads({
        enabled: opts.controllerManager !== false,
        procs,
        bins,
        ids,
        pki,
        api,
        core: [etcd.child, apiServer.child],
        timeoutMs,
        crdsEstablished: crdsInstalled,
      }),
      crdsInstalled,
    ]);
    const { podsRunByKwok } = workloads;
    notes.push(...workloads.notes);
    const binDir = await binDirFor(bins, dir);
    const startupMs = Math.round(performance.now() - t0);
    log.info({ server: apiServer.server, startupMs, podsRunByKwok, notes }, 'control plane ready');
    return {
      server: apiServer.server,
      dir,
      binDir,
      adminKubeconfig,
      controllerKubeconfig,
      podsRunByKwok,
      meshApis,
      ca: pki.ca,
      logDir,
      startupMs,
      notes,
      kubeconfigFor: (user, groups = []) => ids.mint(user, groups),
      kubectl: (args, o) => kubectl(args, o),
      stop: () => cleanup.stop(),
    };
  } catch (err) {
    await cleanup.stop();
    throw err;
  }
}
