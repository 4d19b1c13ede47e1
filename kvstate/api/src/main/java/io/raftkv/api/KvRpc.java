package io.raftkv.api;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;

/** The client-facing KV service: writes, reads, scans, the change feed and node status. */
public final class KvRpc {
  public static final String SERVICE = "raftkv.api.Kv";

  public static final MethodDescriptor<WriteRequest, WriteResponse> WRITE =
      GrpcMethods.unary(SERVICE, "Write", WriteRequest.getDefaultInstance(), WriteResponse.getDefaultInstance());
  public static final MethodDescriptor<WriteBatchRequest, WriteBatchResponse> WRITE_BATCH =
      GrpcMethods.unary(SERVICE, "WriteBatch", WriteBatchRequest.getDefaultInstance(),
          WriteBatchResponse.getDefaultInstance());
  public static final MethodDescriptor<GetRequest, GetResponse> GET =
      GrpcMethods.unary(SERVICE, "Get", GetRequest.getDefaultInstance(), GetResponse.getDefaultInstance());
  public static final MethodDescriptor<GetBatchRequest, GetBatchResponse> GET_BATCH =
      GrpcMethods.unary(SERVICE, "GetBatch", GetBatchRequest.getDefaultInstance(),
          GetBatchResponse.getDefaultInstance());
  public static final MethodDescriptor<ScanRequest, ScanResponse> SCAN =
      GrpcMethods.unary(SERVICE, "Scan", ScanRequest.getDefaultInstance(), ScanResponse.getDefaultInstance());
  public static final MethodDescriptor<StatusRequest, StatusResponse> STATUS =
      GrpcMethods.unary(SERVICE, "Status", StatusRequest.getDefaultInstance(), StatusResponse.getDefaultInstance());

  public static final MethodDescriptor<WatchRequest, WatchResponse> WATCH =
      GrpcMethods.serverStreaming(SERVICE, "Watch", WatchRequest.getDefaultInstance(),
          WatchResponse.getDefaultInstance());

  public static final ServiceDescriptor SERVICE_DESCRIPTOR = ServiceDescriptor.newBuilder(SERVICE)
      .addMethod(WRITE).addMethod(WRITE_BATCH).addMethod(GET).addMethod(GET_BATCH).addMethod(SCAN).addMethod(STATUS)
      .addMethod(WATCH).build();

  private KvRpc() {}
}
