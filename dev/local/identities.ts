import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mintKubeconfig, writeKubeconfig } from './kubeconfig.js';
import type { KeyPair, Pki } from './pki.js';

/** The identities every control plane has; CN is the user, O the groups (RBAC subjects). */
export const IDENTITIES = {
  admin: { stem: 'admin', user: 'weightlifter-admin', groups: ['system:masters'] },
  controller: {
    stem: 'controller',
    user: 'system:serviceaccount:weightlifter-system:weightlifter',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:weightlifter-system'],
  },
  // The components run with cluster-admin rights: they are test infrastructure, not under test.
  controllerManager: {
    stem: 'kube-controller-manager',
    user: 'system:kube-controller-manager',
    groups: ['system:masters'],
  },
  scheduler: { stem: 'kube-scheduler', user: 'system:kube-scheduler', groups: [] },
  kwok: { stem: 'kwok', user: 'system:kwok-controller', groups: ['system:masters'] },
} as const;

export type IdentityName = keyof typeof IDENTITIES;

/** Mints client-certificate kubeconfigs for one control plane. */
export class Identities {
  private readonly dir: string;

  constructor(
    private readonly pki: Pki,
    workDir: string,
    private server = '',
  ) {
    this.dir = join(workDir, 'kubeconfigs');
  }

  setServer(server: string): void {
    this.server = server;
  }

  async cert(name: IdentityName): Promise<KeyPair> {
    const id = IDENTITIES[name];
    return this.pki.clientCert(id.stem, id.user, id.groups);
  }

  async kubeconfig(name: IdentityName, cert: KeyPair): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = IDENTITIES[name];
    return writeKubeconfig(join(this.dir, `${id.stem}.kubeconfig`), {
      server: this.server,
      caCert: this.pki.ca.cert,
      client: cert,
      user: id.user,
    });
  }

  /** Another identity, e.g. an unprivileged user for RBAC tests. */
  mint(user: string, groups: readonly string[] = []): Promise<string> {
    return mintKubeconfig({ dir: this.dir, ca: this.pki.ca, server: this.server, user, groups });
  }
}
