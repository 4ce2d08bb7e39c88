// The typed client for the FlowDesk REST API, one module per resource.
export * from './audit';
export * from './http';
export * from './identity';
export * from './tickets';
export * from './discovery';
export * from './cmdb';
export * from './credentials';
export * from './alerts';
