import { BlockList, isIPv6, type Server, type Socket } from 'node:net';

/**
 * At most `max` open connections per client address: one address cannot hold every socket the
 * process may have (slow requests, idle keep-alives). A connection past the cap is closed at once,
 * before any request on it is read. Trusted proxies are exempt: all their clients share their address.
 */
export function capConnectionsPerAddress(server: Server, max: number, trustedProxies: readonly string[]): void {
  const exempt = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) exempt.addAddress(address, type);
    else exempt.addSubnet(address, Number(bits), type);
  }
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || exempt.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
