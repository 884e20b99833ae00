// What `remoteextensionsenvironment` / `getEnvironmentData` answers: the workbench's first call.
// A plausible subset of VS Code's IRemoteAgentEnvironmentDTO; URIs in their marshalled form.
import type { ChannelHandler } from './management.ts';
import { ChannelError } from './management.ts';

function fileUri(path: string): { $mid: 1; scheme: 'file'; path: string } {
  return { $mid: 1, scheme: 'file', path };
}

export function environmentChannel(home: string): ChannelHandler {
  return (command) => {
    if (command === 'getEnvironmentData') {
      const data = `${home}/.local/share/code-server`;
      return {
        pid: process.pid,
        connectionToken: '00000000000000000000',
        appRoot: fileUri('/usr/lib/code-server/lib/vscode'),
        settingsPath: fileUri(`${data}/Machine/settings.json`),
        logsPath: fileUri(`${data}/logs`),
        extensionHostLogsPath: fileUri(`${data}/logs/exthost1`),
        globalStorageHome: fileUri(`${data}/User/globalStorage`),
        workspaceStorageHome: fileUri(`${data}/User/workspaceStorage`),
        localHistoryHome: fileUri(`${data}/User/History`),
        userHome: fileUri(home),
        os: 3,
        arch: process.arch,
        marks: [],
        useHostProxy: false,
        profiles: { all: [], home: fileUri(`${data}/User/profiles`) },
        isUnsupportedGlibc: false,
      };
    }
    if (command === 'getExtensionHostExitInfo') return null;
    throw new ChannelError('Error', `Unknown command: ${command}`);
  };
}
