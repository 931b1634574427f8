/** Default settings, in the file format (snake_case). Paths derived from data_dir are filled in by load.ts. */
export const DEFAULTS = {
  server_name: 'localhost',
  host: '127.0.0.1',
  port: 8008,
  data_dir: './data',
  sqlite_synchronous: 'full',
  database_pool_size: 10,
  enable_registration: false,
  registration_tokens: [] as string[],
  // Load balancers / reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges).
  trusted_proxies: [] as string[],
  rate_limits: {
    enabled: true,
    // Like other homeservers: a few login/registration attempts, then one every ~6 s.
    login: { per_second: 0.17, burst: 3 },
    registration: { per_second: 0.17, burst: 3 },
    message: { per_second: 5, burst: 30 },
    // Generous: leaving a space means leaving its (say) 100 rooms at once.
    membership: { per_second: 10, burst: 150 },
    default: { per_second: 20, burst: 100 },
  },
  metrics: { enabled: false, path: '/_hearth/metrics', host: '127.0.0.1', port: null as number | null },
  forget_rooms_on_leave: false,
  forgotten_room_retention: '7d' as string | number | null,
  log_level: 'info',
  max_request_bytes: 1024 * 1024,
  // scrypt N=2^15, r=8, p=1: 32 MiB and ~100 ms per hash, run on the libuv pool.
  password_hashing: { cost: 32768, block_size: 8, parallelization: 1 },
  // Shortest password accepted by registration, password change and `hearth register-user`.
  password_min_length: 8,
  // No federation listener unless a port is given; see FederationConfig.
  federation: {
    host: '127.0.0.1',
    port: null as number | null,
    tls_certificate: null as string | null,
    tls_private_key: null as string | null,
    ca_file: null as string | null,
    allow_private_addresses: false,
    well_known_server: null as string | null,
  },
} as const;
