/** The routing APIs an emulated mesh can serve: their CRDs are installed and it routes by them. */
export const MESH_APIS = ['smi', 'gatewayapi'] as const;
export type MeshApi = (typeof MESH_APIS)[number];
/** Today's world: an SMI mesh (TrafficSplit), no Gateway API. */
export const DEFAULT_MESH_APIS: readonly MeshApi[] = ['smi'];

/** Throws on an empty list, an unknown name or a repeated one: a world must route somehow. */
export function checkMeshApis(apis: readonly string[]): readonly MeshApi[] {
  if (apis.length === 0) throw new RangeError('meshApis: name at least one of smi, gatewayapi');
  for (const api of apis) {
    if (!(MESH_APIS as readonly string[]).includes(api)) {
      throw new RangeError(`meshApis: unknown API ${JSON.stringify(api)} (smi or gatewayapi)`);
    }
  }
  if (new Set(apis).size !== apis.length) throw new RangeError('meshApis: an API is repeated');
  return apis as readonly MeshApi[];
}
