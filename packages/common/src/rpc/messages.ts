/** Message and service types generated from proto/ (see scripts/generate-proto-types.mjs). */
export type { Ack } from '../generated/rivulet/v1/Ack.js';
export type { Endpoint, Endpoint__Output } from '../generated/rivulet/v1/Endpoint.js';
export type { LeaderSession as LeaderSessionMessage, LeaderSession__Output as LeaderSessionMessage__Output } from '../generated/rivulet/v1/LeaderSession.js';
export type { SlotStatus, SlotStatus__Output } from '../generated/rivulet/v1/SlotStatus.js';
export type { RegisterTaskManagerRequest__Output, RegisterTaskManagerRequest } from '../generated/rivulet/v1/RegisterTaskManagerRequest.js';
export type { RegisterTaskManagerResponse, RegisterTaskManagerResponse__Output } from '../generated/rivulet/v1/RegisterTaskManagerResponse.js';
export type { TaskManagerHeartbeat, TaskManagerHeartbeat__Output } from '../generated/rivulet/v1/TaskManagerHeartbeat.js';
export type { JobManagerHeartbeat, JobManagerHeartbeat__Output } from '../generated/rivulet/v1/JobManagerHeartbeat.js';
export type { DisconnectTaskManagerRequest, DisconnectTaskManagerRequest__Output } from '../generated/rivulet/v1/DisconnectTaskManagerRequest.js';
export type { ClusterOverviewResponse, ClusterOverviewResponse__Output } from '../generated/rivulet/v1/ClusterOverviewResponse.js';
export type { TaskManagerInfo, TaskManagerInfo__Output } from '../generated/rivulet/v1/TaskManagerInfo.js';
export type { ListJobsResponse, ListJobsResponse__Output } from '../generated/rivulet/v1/ListJobsResponse.js';
export type { JobSummary, JobSummary__Output } from '../generated/rivulet/v1/JobSummary.js';
export type { JobDetails, JobDetails__Output } from '../generated/rivulet/v1/JobDetails.js';
export type { JobManagerServiceClient, JobManagerServiceHandlers } from '../generated/rivulet/v1/JobManagerService.js';
export type { TaskManagerServiceClient, TaskManagerServiceHandlers } from '../generated/rivulet/v1/TaskManagerService.js';
