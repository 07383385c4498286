/** tools: locating and running the external CLIs salve relies on (opa, kustomize, git), each run bounded. */
export { childEnv } from './child-env.ts';
export {
  bundlesDir,
  indexDir,
  KUSTOMIZE_VERSION,
  locateGit,
  locateKustomize,
  locateOpa,
  OPA_VERSION,
  rendersDir,
  toolsDir,
} from './locate.ts';
export {
  argvOf,
  type RawRunResult,
  type RunResult,
  type RunToolOptions,
  runTool,
  runToolRaw,
  toolEnv,
} from './run.ts';
export {
  DEFAULT_LIMITS,
  formatBytes,
  formatDuration,
  limitsOf,
  type Tool,
  ToolError,
  type ToolLimits,
  type ToolName,
} from './tool.ts';
