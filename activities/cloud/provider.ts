import { CLOUD_PROVIDER_KINDS, CloudError, type CloudProvider, type CloudProviderKind } from '../../domain/automation/cloud';
import { type OpenStackOptions, OpenStackProvider } from './openstack';
import { type OpenStackSettings, openStackSettingsOf } from './openstackSettings';

/**
 * The provider for a cloud account, from its kind and settings (checked here, since they
 * come from stored configuration plus the vault). A provider keeps its token between
 * calls, so a worker should keep one per account rather than make one per activity.
 * Adding a provider: its kind in CLOUD_PROVIDER_KINDS, its settings and options here, and a
 * class implementing CloudProvider (docs/automation-cloud.md#adding-a-provider).
 */

export interface CloudProviderSettings {
  openstack: OpenStackSettings;
}

export interface CloudProviderOptions {
  openstack: OpenStackOptions;
}

export function createCloudProvider<K extends CloudProviderKind>(kind: K, settings: CloudProviderSettings[K], options?: CloudProviderOptions[K]): CloudProvider {
  switch (kind) {
    case 'openstack':
      return new OpenStackProvider(openStackSettingsOf(settings), options);
    default:
      throw new CloudError('invalid_settings', `there is no cloud provider '${String(kind)}'; FlowDesk has: ${CLOUD_PROVIDER_KINDS.join(', ')}`);
  }
}
