/**
 * kwok Stages (kwok.x-k8s.io/v1alpha1) for the local control plane, after kwok's "fast" stages:
 * a Node becomes Ready at once; a scheduled Pod becomes Running and Ready at once, unless it
 * carries the annotation `emulator.weightlifter.io/ready: "false"`, in which case it runs but
 * never becomes Ready. Flipping the annotation on a live Pod flips its readiness.
 */
export const READY_ANNOTATION = 'emulator.weightlifter.io/ready';

const notDeleted = `    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist`;
const readyIs = (
  op: 'In' | 'NotIn',
) => `    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: ${op}
      values: ['True']`;
const annotation = (
  op: 'In' | 'NotIn',
) => `    - key: '.metadata.annotations["${READY_ANNOTATION}"]'
      operator: ${op}
      values: ['false']`;
const phase = (p: string) => `    - key: '.status.phase'
      operator: In
      values: ['${p}']`;

const podStatus = (ready: boolean): string => {
  const status = ready ? 'True' : 'False';
  return `      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: PodScheduled
      - lastTransitionTime: {{ $now | Quote }}
        status: "${status}"
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "${status}"
        type: ContainersReady
      {{ range .spec.readinessGates }}
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: {{ .conditionType | Quote }}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: ${ready ? 'true' : 'false'}
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}`;
};

const runningExtras = `
      {{ $hostIPs := NodeIPsWith .spec.nodeName }}
      {{ with $hostIPs }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      {{ with $podIPs }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      phase: Running
      startTime: {{ Now | Quote }}`;

const stage = (
  name: string,
  kind: 'Pod' | 'Node',
  selector: string[],
  next: string,
): string => `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef:
    apiGroup: v1
    kind: ${kind}
  selector:
    matchExpressions:
${selector.join('\n')}
  next:
${next}
`;

const nodeInitialize = stage(
  'node-initialize',
  'Node',
  [readyIs('NotIn')],
  `    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type | Quote }}
      {{ end }}
      addresses:
      - address: {{ NodeIP | Quote }}
        type: InternalIP
      - address: {{ .metadata.name | Quote }}
        type: Hostname
      allocatable: {cpu: 1k, memory: 1Ti, pods: 1M}
      capacity: {cpu: 1k, memory: 1Ti, pods: 1M}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
        kernelVersion: {{ printf "kwok-%s" Version | Quote }}
        kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
        kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
        bootID: ""
        machineID: ""
        osImage: ""
        systemUUID: ""
      phase: Running`,
);

const statusTemplate = (body: string): string => `    statusTemplate: |\n${body}`;

export function kwokStagesYaml(): string {
  return [
    nodeInitialize,
    stage(
      'pod-ready',
      'Pod',
      [notDeleted, phase('Pending'), annotation('NotIn')],
      statusTemplate(podStatus(true) + runningExtras),
    ),
    stage(
      'pod-running-unready',
      'Pod',
      [notDeleted, phase('Pending'), annotation('In')],
      statusTemplate(podStatus(false) + runningExtras),
    ),
    stage(
      'pod-become-ready',
      'Pod',
      [notDeleted, phase('Running'), readyIs('NotIn'), annotation('NotIn')],
      statusTemplate(podStatus(true)),
    ),
    stage(
      'pod-become-unready',
      'Pod',
      [notDeleted, phase('Running'), readyIs('In'), annotation('In')],
      statusTemplate(podStatus(false)),
    ),
    stage(
      'pod-delete',
      'Pod',
      ["    - key: '.metadata.deletionTimestamp'\n      operator: Exists"],
      '    delete: true',
    ),
  ].join('---\n');
}
