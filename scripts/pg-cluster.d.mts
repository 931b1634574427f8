// Types of pg-cluster.mjs, for the TypeScript tests that start a cluster of their own.
export interface PostgresCluster {
  url: string;
  port: number;
  binDir: string;
  dataDir: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export function postgresBinDir(): string | undefined;
export function startPostgres(
  binDir: string,
  options?: { durable?: boolean; settings?: Record<string, string | number>; password?: string },
): Promise<PostgresCluster>;
