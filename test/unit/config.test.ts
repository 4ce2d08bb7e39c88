import path from 'node:path';
import { ConfigError, loadConfig, SETTINGS } from '../../runtime/config';

describe('configuration', () => {
  it('has working defaults: embedded services, data under .data of the working directory', () => {
    const config = loadConfig({}, '/srv/flowdesk');
    expect(config).toMatchObject({ FLOWDESK_PORT: 8080, FLOWDESK_HOST: '127.0.0.1', TEMPORAL_NAMESPACE: 'default', FLOWDESK_TASK_QUEUE: 'flowdesk-core' });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.MONGODB_URI).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve('/srv/flowdesk/.data'));
  });

  it('reads external services and treats empty variables as unset', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', MONGODB_URI: 'mongodb://db:27017/', FLOWDESK_PORT: '9000', FLOWDESK_LOG_LEVEL: '' }, '/');
    expect(config).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', MONGODB_URI: 'mongodb://db:27017/', FLOWDESK_PORT: 9000, FLOWDESK_LOG_LEVEL: 'info' });
  });

  it('names every wrong variable, its value and what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ FLOWDESK_PORT: 'http', TEMPORAL_ADDRESS: 'http://temporal', MONGODB_URI: 'postgres://x', FLOWDESK_LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/FLOWDESK_PORT="http"/);
    expect(message).toMatch(/TEMPORAL_ADDRESS="http:\/\/temporal": must be host:port/);
    expect(message).toMatch(/MONGODB_URI="postgres:\/\/x": must start with mongodb:\/\/ or mongodb\+srv:\/\//);
    expect(message).toMatch(/FLOWDESK_LOG_LEVEL="loud"/);
  });

  it('documents every setting', () => {
    for (const [name, setting] of Object.entries(SETTINGS)) expect(`${name}: ${setting.doc}`).toMatch(/: \S.{9,}/);
  });
});
