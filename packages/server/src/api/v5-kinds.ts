/** The four v5 file types a log can belong to, and what differs between them, in one table. */

export type V5FileType = 'prompt' | 'tool' | 'flow' | 'agent';

/** A flow or agent log is `incomplete` while it takes children; once `complete`, it is closed. */
export type LogStatus = 'complete' | 'incomplete';

/** Most levels of a trace the server walks, up (a child's end moves its ancestors') or down (trace children). */
export const MAX_TRACE_DEPTH = 256;

export interface V5Kind {
  /** The URL segment: `/v5/prompts/log`. */
  segment: string;
  /** Names in `V5_SCHEMAS` of the create and update bodies. */
  createBody: string;
  updateBody: string;
  /** The body field holding the version's definition (its kernel). */
  kernel: string;
  /** The create answer's name for the file id. */
  fileIdField: string;
  /** Flow and agent logs carry a `log_status`; prompt and tool logs do not. */
  hasStatus: boolean;
}

export const V5_KINDS: Readonly<Record<V5FileType, V5Kind>> = {
  prompt: {
    segment: 'prompts',
    createBody: 'PromptLogRequest',
    updateBody: 'PromptLogUpdateRequest',
    kernel: 'prompt',
    fileIdField: 'prompt_id',
    hasStatus: false,
  },
  tool: {
    segment: 'tools',
    createBody: 'ToolLogRequest',
    updateBody: 'ToolLogUpdateRequest',
    kernel: 'tool',
    fileIdField: 'tool_id',
    hasStatus: false,
  },
  flow: {
    segment: 'flows',
    createBody: 'FlowLogRequest',
    updateBody: 'UpdateFlowLogRequest',
    kernel: 'flow',
    fileIdField: 'flow_id',
    hasStatus: true,
  },
  agent: {
    segment: 'agents',
    createBody: 'AgentLogRequest',
    updateBody: 'UpdateAgentLogRequest',
    kernel: 'agent',
    fileIdField: 'agent_id',
    hasStatus: true,
  },
};

/** The file type whose URL segment this is (`prompts` → `prompt`). */
export function typeOfSegment(segment: string | undefined): V5FileType | undefined {
  for (const type of Object.keys(V5_KINDS) as V5FileType[]) if (V5_KINDS[type].segment === segment) return type;
  return undefined;
}
