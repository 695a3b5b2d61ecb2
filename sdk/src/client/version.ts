/** This SDK's name and version, sent to the server for operators to see. */
export const SDK_CLIENT_NAME = 'signalbox-sdk-js/0.1.0';
