package io.tributary.gateway.openapi;

/** Request and response examples shown in Swagger UI, kept in one place so they stay consistent. */
public final class ApiExamples {
    private ApiExamples() {
    }

    public static final String PUBLISH_ONE = """
            {"key":"order-42","headers":{"source":"web"},"tag":"TagA","payload":{"item":"book","qty":1}}""";
    public static final String PUBLISH_BATCH = """
            [{"key":"order-42","payload":{"item":"book","qty":1}},
             {"key":"order-43","tag":"TagB","payload":"plain text is JSON too"},
             {"payloadBase64":"AAECAw==","ttlMs":60000},
             {"key":"reminder-7","payload":{"remind":"pay"},"delayMs":3600000}]""";
    public static final String PUBLISH_NDJSON = """
            {"key":"order-42","payload":{"item":"book"}}
            {"key":"order-43","payload":{"item":"pen"}}""";
    public static final String PUBLISH_RESULT = """
            {"results":[{"topic":"orders","partition":0,"offset":41},{"topic":"orders","partition":2,"offset":17}]}""";

    public static final String TOPIC_SPEC = """
            {"partitions":3,"replicationFactor":1,"retentionMs":604800000,"retentionBytes":-1}""";
    public static final String TOPIC_VIEW = """
            {"vhost":"default","name":"orders","id":"5a4c...","partitionCount":2,"replicationFactor":3,
             "minInSyncReplicas":2,"uncleanLeaderElection":false,
             "retentionMs":604800000,"retentionBytes":-1,"flush":"replicated","createdAt":1795670000000,
             "partitions":[
               {"partition":0,"leader":"storage-1","replicas":["storage-1","storage-2","storage-3"],
                "isr":["storage-1","storage-2","storage-3"],"leaderEpoch":2,"startOffset":0,"endOffset":42,
                "highWatermark":42,"replicaLogEndOffsets":{"storage-1":42,"storage-2":42,"storage-3":42},"sizeBytes":5120},
               {"partition":1,"leader":"storage-2","replicas":["storage-2","storage-3","storage-1"],
                "isr":["storage-2","storage-3"],"leaderEpoch":1,"startOffset":0,"endOffset":17,
                "highWatermark":17,"replicaLogEndOffsets":{"storage-1":9,"storage-2":17,"storage-3":17},"sizeBytes":2048}]}""";
    public static final String TOPIC_LIST = "{\"topics\":[" + TOPIC_VIEW + "]}";

    public static final String SUBSCRIPTION_SPEC = """
            {"type":"group","startAt":"earliest"}""";
    public static final String SUBSCRIPTION_VIEW = """
            {"vhost":"default","topic":"orders","name":"billing","type":"group","startAt":{"position":"earliest"},
             "members":["m-ws-1f0c..."],"generation":3,"rebalancing":false,
             "partitions":[{"partition":0,"committedOffset":40,"endOffset":42,"lag":2}]}""";
    public static final String SSE_EVENT = """
            id: v1.MD00Mg
            event: message
            data: {"id":"0-41","topic":"orders","partition":0,"offset":41,"timestamp":1795670000000,"key":"order-42","headers":{},"tag":null,"payload":{"item":"book"},"deliveryCount":1}
            """;
    public static final String BROWSE = """
            {"messages":[{"id":"0-41","topic":"orders","partition":0,"offset":41,"timestamp":1795670000000,
              "key":"order-42","headers":{"source":"web"},"tag":"TagA","payload":{"item":"book","qty":1}}],
             "nextOffset":42,"startOffset":0,"endOffset":42}""";
    public static final String OFFSETS_FOR_TIME = """
            {"timestamp":1795670000000,"offsets":[{"partition":0,"offset":12},{"partition":1,"offset":9}]}""";
    public static final String BY_KEY = """
            {"key":"order-42","messages":[{"id":"0-41","topic":"orders","partition":0,"offset":41,"timestamp":1795670000000,
              "key":"order-42","headers":{},"tag":null,"payload":{"item":"book","qty":2}}]}""";
    public static final String CLUSTER = """
            {"controller":"coordinator-1","controllerEpoch":4,"metadataVersion":12,
             "nodes":[{"id":"storage-1","url":"http://127.0.0.1:7091","leaseExpiresInMs":3120,"partitionsLed":1,"replicasHeld":3}],
             "underReplicatedPartitions":0,"offlinePartitions":0,
             "partitions":[{"vhost":"default","topic":"orders","partition":0,"leader":"storage-1","leaderEpoch":2,
               "replicas":["storage-1","storage-2","storage-3"],"isr":["storage-1","storage-2","storage-3"],"highWatermark":42,
               "replicaLogEndOffsets":{"storage-1":42,"storage-2":42,"storage-3":42}}]}""";

    public static final String REASSIGNMENT = """
            {"partitions":[{"vhost":"default","topic":"orders","partition":0,"replicas":["storage-4","storage-2","storage-3"]}],
             "copyBytesPerSecond":20971520}""";
    public static final String MOVE = """
            {"id":"default/orders/0@1795670000000","vhost":"default","topic":"orders","partition":0,
             "from":["storage-1","storage-2","storage-3"],"to":["storage-4","storage-2","storage-3"],"state":"copying","reason":null,
             "cause":"request","copyBytesPerSecond":20971520,"startedAt":1795670000000,"finishedAt":null}""";
    public static final String MOVES_STARTED = "{\"moves\":[" + MOVE + "]}";
    public static final String REASSIGNMENTS = "{\"inProgress\":[{\"move\":" + MOVE + """
            ,"leader":"storage-1","isr":["storage-1","storage-2","storage-3"],"adding":["storage-4"],"removing":["storage-1"],
             "copied":{"storage-4":{"inSync":false,"bytesCopied":52428800,"logEndOffset":51200,"offsetsBehind":48800}},
             "leaderBytes":104857600,"phase":"copying"}],"done":[]}""";
    public static final String REBALANCE_PLAN = """
            {"dryRun":true,"moves":[{"vhost":"default","topic":"orders","partition":0,"from":["storage-1","storage-2","storage-3"],
              "to":["storage-4","storage-2","storage-3"],"copies":1}],
             "replicasBefore":{"storage-1":6,"storage-2":6,"storage-3":6,"storage-4":0},
             "replicasAfter":{"storage-1":5,"storage-2":5,"storage-3":4,"storage-4":4},
             "leadersBefore":{"storage-1":2,"storage-2":2,"storage-3":2,"storage-4":0},
             "leadersAfter":{"storage-1":2,"storage-2":2,"storage-3":1,"storage-4":1},"started":[]}""";
    public static final String DRAIN = "{\"node\":\"storage-4\",\"moves\":[" + MOVE + "],\"replicasHeld\":4}";

    public static final String EXCHANGE_SPEC = """
            {"type":"topic","alternateExchange":"unrouted"}""";
    public static final String EXCHANGE_INFO = """
            {"vhost":"default","name":"events","type":"topic","alternateExchange":"unrouted","createdAt":1795670000000}""";
    public static final String BINDING_SPEC = """
            {"destination":"orders-eu","routingKey":"eu.orders.#"}""";
    public static final String BINDING_HEADERS = """
            {"destination":"pdf-reports","arguments":{"x-match":"all","format":"pdf","type":"report"}}""";
    public static final String BINDING_E2E = """
            {"destination":"audit-exchange","destinationType":"exchange","routingKey":"#"}""";
    public static final String BINDING_INFO = """
            {"id":"b-3f2a9c1d7e4b5a60","vhost":"default","source":"events","destination":"orders-eu","destinationType":"topic",
             "routingKey":"eu.orders.#"}""";
    public static final String EXCHANGE_VIEW = "{\"exchange\":" + EXCHANGE_INFO + ",\"bindings\":[" + BINDING_INFO + "]}";
    public static final String EXCHANGE_PUBLISH = """
            [{"routingKey":"eu.orders.created","key":"order-42","payload":{"item":"book"}},
             {"routingKey":"us.refunds","payload":{"item":"pen"}}]""";
    public static final String EXCHANGE_PUBLISH_RESULT = """
            {"results":[{"routed":[{"topic":"audit","partition":1,"offset":7},{"topic":"orders-eu","partition":0,"offset":41}]},
                        {"unroutable":true}]}""";
    public static final String PROBLEM_BAD_TYPE = """
            {"type":"invalid-argument","title":"Invalid argument","status":400,
             "detail":"exchange type 'round-robin' does not exist: use direct, fanout, topic or headers","instance":"/api/v1/vhosts/default/exchanges/events"}""";
    public static final String PROBLEM_NO_EXCHANGE = """
            {"type":"not-found","title":"Not found","status":404,
             "detail":"exchange 'events' does not exist in vhost 'default'","instance":"/api/v1/vhosts/default/exchanges/events/bindings"}""";

    public static final String PROBLEM_MALFORMED = """
            {"type":"malformed-request","title":"Malformed request","status":400,
             "detail":"malformed JSON: Unexpected character ('}' (code 125))","instance":"/api/v1/vhosts/default/topics/orders/messages"}""";
    public static final String PROBLEM_NOT_FOUND = """
            {"type":"not-found","title":"Not found","status":404,
             "detail":"topic 'orders' does not exist in vhost 'default'","instance":"/api/v1/vhosts/default/topics/orders/messages"}""";
    public static final String PROBLEM_TOO_LARGE = """
            {"type":"payload-too-large","title":"Payload too large","status":413,
             "detail":"message 3: payload is 1048577 bytes; the limit is 1048576","instance":"/api/v1/vhosts/default/topics/orders/messages"}""";
    public static final String PROBLEM_INVALID_NAME = """
            {"type":"invalid-name","title":"Invalid name","status":400,
             "detail":"topic name 'a/b' is invalid: use 1 to 200 characters from A-Z a-z 0-9 . _ - (not '.' or '..')","instance":"/api/v1/vhosts/default/topics/a%2Fb"}""";
}
