// ui: the live web view of a kzoo cluster (`kzoo ui`).
//   UiServer.ts (routes, WebSocket, znode browser, fault buttons), ClusterWatcher.ts (ZooKeeper watches + broker polling),
//   events.ts (elections and ISR changes judged from state znodes), protocol.ts (messages), page/ (the browser app).
export * from './UiServer';
export * from './ClusterWatcher';
export * from './events';
export * from './StateChangeLog';
export * from './protocol';
