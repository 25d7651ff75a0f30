import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { EMULATOR_ANNOTATIONS } from '../../../dev/local/emulator/annotations.js';
import {
  RELEASES,
  RELEASE_ANNOTATION,
  appYaml,
  canaryYaml,
  releasePatch,
} from '../../../dev/demo/manifests.js';

interface Patch {
  spec: {
    template: {
      metadata: { annotations: Record<string, string | null> };
      spec: { containers: { name: string; image: string }[] };
    };
  };
}

describe('releasePatch', () => {
  it('changes the image and the release annotation, and carries the behaviour', () => {
    const p = JSON.parse(releasePatch(RELEASES.v3, RELEASES.v2)) as Patch;
    expect(p.spec.template.spec.containers).toEqual([{ name: 'app', image: RELEASES.v3.image }]);
    expect(p.spec.template.metadata.annotations).toEqual({
      [RELEASE_ANNOTATION]: 'v3',
      [EMULATOR_ANNOTATIONS.errorRate]: '0.3',
      [EMULATOR_ANNOTATIONS.latencyMs]: '8',
    });
  });

  it('removes annotations of the previous release that the new one does not set', () => {
    const bad = { ...RELEASES.v3, name: 'bad' };
    const p = JSON.parse(releasePatch(RELEASES.v2, bad)) as Patch;
    expect(p.spec.template.metadata.annotations[EMULATOR_ANNOTATIONS.errorRate]).toBeNull();
    expect(p.spec.template.metadata.annotations[RELEASE_ANNOTATION]).toBe('v2');
  });
});

describe('appYaml', () => {
  it('names its release on the pod template', () => {
    const dep = parse(appYaml(RELEASES.v1)) as Patch;
    expect(dep.spec.template.metadata.annotations).toEqual({ [RELEASE_ANNOTATION]: 'v1' });
  });
});

describe('canaryYaml', () => {
  it('routes over SMI by default and over Gateway API HTTPRoute with the gatewayapi router', () => {
    const routing = (yaml: string) =>
      (parse(yaml) as { spec: { routing: Record<string, string> } }).spec.routing;
    expect(routing(canaryYaml())).toEqual({ provider: 'smi', smiVersion: 'auto' });
    expect(routing(canaryYaml('smi'))).toEqual({ provider: 'smi', smiVersion: 'auto' });
    expect(routing(canaryYaml('gatewayapi'))).toEqual({ provider: 'gatewayapi' });
  });
});
