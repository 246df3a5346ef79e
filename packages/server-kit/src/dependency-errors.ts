/**
 * True for errors that mean "a dependency is not answering" (MongoDB-wire server or Redis down,
 * JWKS unreachable), which clients should see as 503 UNAVAILABLE rather than a 500.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const names = [
    'MongoServerSelectionError',
    'MongoNetworkError',
    'MongoNetworkTimeoutError',
    'MongoNotConnectedError',
    'MongoTopologyClosedError',
    'MongoPoolClearedError',
    'MongooseServerSelectionError',
    'MaxRetriesPerRequestError',
    'ClusterAllFailedError',
    'JWKSTimeout',
  ];
  // By class lineage too: the driver subclasses these (PoolClearedOnNetworkError is a
  // MongoNetworkError named otherwise, which a retried read can end with while the server goes
  // away). Names rather than instanceof, so errors from another copy of the driver count as well.
  if (names.includes(error.name) || classLineage(error).some((name) => names.includes(name))) return true;
  // ioredis with enableOfflineQueue=false, and a closed client, report plain Errors with these texts;
  // mongoose with bufferCommands=false reports a plain MongooseError until its first connection opens.
  // A Redis Cluster in a failover answers CLUSTERDOWN or TRYAGAIN, or keeps moving a slot, until a
  // replica has taken over.
  return /Stream isn't writeable|Connection is closed|enableOfflineQueue options is false|before initial connection is complete|^CLUSTERDOWN|^TRYAGAIN|Too many Cluster redirections|Failed to refresh slots cache/.test(
    error.message,
  );
}

/** The names of the classes an error was built from, its own first. */
function classLineage(error: Error): string[] {
  const lineage: string[] = [];
  for (let proto: unknown = Object.getPrototypeOf(error); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    lineage.push((proto as { constructor: { name: string } }).constructor.name);
  }
  return lineage;
}
