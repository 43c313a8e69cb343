export interface SandboxEnv {
  Variables: {
    requestId: string;
    tenant: string;
  };
}
