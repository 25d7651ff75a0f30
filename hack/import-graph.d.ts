// Types of import-graph.js (plain JavaScript so eslint.config.js can load it).
export declare const SRC: string;
export interface Edge {
  readonly to: string;
  readonly typeOnly: boolean;
}
export declare function tsFiles(dir: string): string[];
export declare function importsOf(file: string, text: string): Edge[];
export declare function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][];
export declare function folderOf(path: string): string;
export declare function graphs(): {
  folders: Map<string, Set<string>>;
  files: Map<string, Set<string>>;
};
export declare const shapePlugin: {
  readonly rules: Readonly<Record<string, unknown>>;
};
