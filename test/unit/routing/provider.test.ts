import { describe, expect, it } from '@jest/globals';
import type { RoutingProvider } from '../../../src/api/constants.js';
import { RoutingUnavailableError } from '../../../src/routing/errors.js';
import {
  ProviderSelection,
  selectProvider,
  unrouted,
  type ProviderFlags,
  type ProviderSource,
} from '../../../src/routing/provider.js';
import type { RoutedReaders } from '../../../src/routing/types.js';
import { canary } from './fixtures.js';

const NONE: ProviderFlags = { smi: false, gatewayapi: false };
const SMI: ProviderFlags = { smi: true, gatewayapi: false };
const GW: ProviderFlags = { smi: false, gatewayapi: true };
const BOTH: ProviderFlags = { smi: true, gatewayapi: true };

type Row = [
  what: string,
  setting: RoutingProvider | undefined,
  clusterDefault: RoutingProvider,
  served: ProviderFlags,
  existing: ProviderFlags,
  parentRefs: boolean,
  expected: 'smi' | 'gatewayapi' | RegExp,
];

const NEITHER = /serves neither SMI TrafficSplit .* nor Gateway API HTTPRoute/;

const TABLE: Row[] = [
  ['auto, both served: SMI first', 'auto', 'auto', BOTH, NONE, false, 'smi'],
  ['auto, SMI only', 'auto', 'auto', SMI, NONE, false, 'smi'],
  ['auto, Gateway API only', 'auto', 'auto', GW, NONE, false, 'gatewayapi'],
  ['auto, nothing served: an error naming both APIs', 'auto', 'auto', NONE, NONE, false, NEITHER],
  ['auto keeps an existing HTTPRoute of ours', 'auto', 'auto', BOTH, GW, false, 'gatewayapi'],
  ['auto keeps an existing TrafficSplit of ours', 'auto', 'auto', BOTH, SMI, false, 'smi'],
  ['auto keeps an HTTPRoute whose API is gone', 'auto', 'auto', SMI, GW, false, 'gatewayapi'],
  [
    'auto with both objects (mid-switch): the usual order',
    'auto',
    'auto',
    BOTH,
    BOTH,
    false,
    'smi',
  ],
  ['auto with parentRefs: Gateway API', 'auto', 'auto', BOTH, NONE, true, 'gatewayapi'],
  ['auto with parentRefs, no Gateway API', 'auto', 'auto', SMI, NONE, true, /parentRefs need/],
  ['smi named: smi, whatever exists', 'smi', 'auto', GW, GW, false, 'smi'],
  [
    'gatewayapi named: gatewayapi, even unserved',
    'gatewayapi',
    'auto',
    SMI,
    SMI,
    false,
    'gatewayapi',
  ],
  [
    'unset: the cluster default (gatewayapi)',
    undefined,
    'gatewayapi',
    BOTH,
    NONE,
    false,
    'gatewayapi',
  ],
  ['unset: the cluster default (smi)', undefined, 'smi', GW, NONE, false, 'smi'],
  ['unset: the cluster default auto', undefined, 'auto', GW, NONE, false, 'gatewayapi'],
  ['the spec wins over the cluster default', 'smi', 'gatewayapi', BOTH, NONE, false, 'smi'],
  [
    'parentRefs under the default smi',
    undefined,
    'smi',
    BOTH,
    NONE,
    true,
    /--routing-provider smi/,
  ],
  [
    'parentRefs under the default gatewayapi',
    undefined,
    'gatewayapi',
    BOTH,
    NONE,
    true,
    'gatewayapi',
  ],
];

describe('selectProvider', () => {
  it.each(TABLE)('%s', (_, setting, clusterDefault, served, existing, parentRefs, expected) => {
    const choice = selectProvider({
      setting,
      clusterDefault,
      served,
      existing,
      hasParentRefs: parentRefs,
    });
    if (typeof expected === 'string') {
      expect(choice).toEqual({ ok: true, provider: expected });
    } else {
      expect(choice.ok).toBe(false);
      if (!choice.ok) expect(choice.message).toMatch(expected);
    }
  });
});

describe('ProviderSelection', () => {
  const read: RoutedReaders = () => ({ getByName: () => undefined, list: () => [] });
  const source = (
    provider: ProviderSource['provider'],
    served: boolean,
    owns: boolean,
  ): ProviderSource => ({
    provider,
    served: () => served,
    ownedObject: () => (owns ? { metadata: { name: 'podinfo' } } : undefined),
  });

  it('feeds the routers’ answers to the rule', () => {
    const selection = new ProviderSelection('auto');
    selection.register(source('smi', true, false));
    selection.register(source('gatewayapi', true, true));
    expect(selection.choose(canary(), read)).toEqual({ ok: true, provider: 'gatewayapi' });
    expect(selection.choose(canary({ routing: { provider: 'smi' } }), read)).toEqual({
      ok: true,
      provider: 'smi',
    });
  });

  it('names every served provider as a candidate for auto, the named one otherwise', () => {
    const selection = new ProviderSelection('auto');
    selection.register(source('smi', false, false));
    selection.register(source('gatewayapi', true, false));
    expect(selection.candidates(canary())).toEqual(['gatewayapi']);
    expect(selection.candidates(canary({ routing: { provider: 'smi' } }))).toEqual(['smi']);
    const byDefault = new ProviderSelection('smi');
    expect(byDefault.candidates(canary())).toEqual(['smi']);
  });

  it('turns no provider into RoutingUnavailableError (reason RoutingUnavailable)', () => {
    const selection = new ProviderSelection('auto');
    selection.register(source('smi', false, false));
    selection.register(source('gatewayapi', false, false));
    const err = unrouted(selection, canary(), read);
    expect(err).toBeInstanceOf(RoutingUnavailableError);
    expect((err as RoutingUnavailableError).conditionReason).toBe('RoutingUnavailable');
    expect(err?.message).toMatch(NEITHER);
    expect(unrouted(selection, canary({ routing: { provider: 'smi' } }), read)).toBeUndefined();
    expect(unrouted(undefined, canary(), read)).toBeUndefined();
  });
});
