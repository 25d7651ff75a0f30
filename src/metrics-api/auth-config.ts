// Delegated authentication settings, as every aggregated API server reads them: the ConfigMap
// kube-system/extension-apiserver-authentication that kube-apiserver publishes (its
// --requestheader-* and --client-ca-file flags). Flags of our own override single fields.
import { X509Certificate } from 'node:crypto';
import { MetricsApiError, METRICS_API_ERROR_REASONS } from './errors.js';

export const AUTH_CONFIGMAP = {
  namespace: 'kube-system',
  name: 'extension-apiserver-authentication',
} as const;

export interface RequestHeaderConfig {
  /** PEM bundle that signs the aggregator's proxy client certificate. */
  readonly caPem: string;
  readonly cas: readonly X509Certificate[];
  /** CNs a proxy certificate may carry; empty = any certificate the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

export interface AuthConfig {
  readonly requestHeader?: RequestHeaderConfig;
  /** Direct client certificates (users calling this server without the aggregator). */
  readonly clientCa?: { readonly caPem: string; readonly cas: readonly X509Certificate[] };
}

export interface AuthOverrides {
  /** PEM of the front-proxy CA instead of the ConfigMap's requestheader-client-ca-file. */
  readonly requestHeaderCaPem?: string;
  readonly allowedNames?: readonly string[];
}

/** Every certificate of a PEM bundle. */
export function parsePemBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new MetricsApiError(METRICS_API_ERROR_REASONS.badTls, `${what}: no PEM certificate`);
  }
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new MetricsApiError(
        METRICS_API_ERROR_REASONS.badTls,
        `${what}: unreadable certificate`,
        {
          cause,
        },
      );
    }
  });
}

function jsonList(data: Readonly<Record<string, string>>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.authConfig,
      `${AUTH_CONFIGMAP.name}: ${key} is not a JSON list`,
      { cause, details: { key } },
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.authConfig,
      `${AUTH_CONFIGMAP.name}: ${key} is not a list of strings`,
      { details: { key } },
    );
  }
  return parsed;
}

/** The settings from the ConfigMap's `data`, with overrides applied. */
export function authConfigFrom(
  data: Readonly<Record<string, string>>,
  overrides: AuthOverrides = {},
): AuthConfig {
  const rhPem = overrides.requestHeaderCaPem ?? data['requestheader-client-ca-file'];
  const clientPem = data['client-ca-file'];
  let requestHeader: RequestHeaderConfig | undefined;
  if (rhPem !== undefined && rhPem.trim() !== '') {
    const usernameHeaders = jsonList(data, 'requestheader-username-headers');
    requestHeader = {
      caPem: rhPem,
      cas: parsePemBundle(rhPem, 'requestheader client CA'),
      allowedNames: overrides.allowedNames ?? jsonList(data, 'requestheader-allowed-names'),
      // kube-apiserver's own defaults when the ConfigMap predates a field.
      usernameHeaders: usernameHeaders.length === 0 ? ['X-Remote-User'] : usernameHeaders,
      uidHeaders: jsonList(data, 'requestheader-uid-headers'),
      groupHeaders: orDefault(jsonList(data, 'requestheader-group-headers'), 'X-Remote-Group'),
      extraHeaderPrefixes: orDefault(
        jsonList(data, 'requestheader-extra-headers-prefix'),
        'X-Remote-Extra-',
      ),
    };
  }
  const clientCa =
    clientPem === undefined || clientPem.trim() === ''
      ? undefined
      : { caPem: clientPem, cas: parsePemBundle(clientPem, 'client CA') };
  if (requestHeader === undefined) {
    throw new MetricsApiError(
      METRICS_API_ERROR_REASONS.authConfig,
      `${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name} has no requestheader-client-ca-file: ` +
        'kube-apiserver runs without --requestheader-client-ca-file (no aggregation layer), ' +
        'or pass --client-ca',
    );
  }
  return { requestHeader, ...(clientCa === undefined ? {} : { clientCa }) };
}

function orDefault(list: string[], fallback: string): string[] {
  return list.length === 0 ? [fallback] : list;
}
