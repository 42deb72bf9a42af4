/* test_fwd_doc.h -- incident versions for the forwarder format tests.
 *
 * FULL has every member `socctl incidents show --json` writes; the
 * expected values in the tests are worked out from it by hand:
 *   2026-03-01T00:00:00Z = 1772323200 s (20513 days)
 *   updated_at 08:50:30.5      -> 1772355030500 ms
 *   first_seen 08:30:15.25     -> 1772353815250 ms
 *   last_seen  08:45:00.999999 -> 1772354700999 ms */
#ifndef TEST_FWD_DOC_H
#define TEST_FWD_DOC_H

#define FWD_FULL_DOC                                                                               \
    "{\"version\":3,\"reason\":\"escalated\",\"incident\":{\"id\":\"INC-2026-000123\","            \
    "\"title\":\"SSH brute force | success\",\"rule\":{\"id\":\"city-ssh-bruteforce\","            \
    "\"version\":2},\"severity\":3,\"priority\":1,\"status\":\"acknowledged\",\"assignee\":"       \
    "\"lan\",\"group_key\":\"src_ip=203.0.113.5\",\"first_seen\":"                                 \
    "\"2026-03-01T08:30:15.250000+0000\",\"last_seen\":\"2026-03-01T08:45:00.999999+0000\","       \
    "\"count\":42,\"src_ips\":[\"10.20.0.7\",\"203.0.113.5\"],\"dest_ips\":[\"10.20.0.10\","       \
    "\"2001:db8::10\"],\"asset\":{\"name\":\"portal\",\"level\":3},\"attack\":{\"tactics\":"       \
    "[\"credential-access\",\"inhibit-response-function\"],\"techniques\":[\"T1110\","             \
    "\"T1110.001\",\"T0814\"]},\"evidence\":[\"s1:b1:1\",\"s1:b1:2\"],\"evidence_total\":2,"       \
    "\"samples\":[{\"event_type\":\"alert\",\"src_ip\":\"203.0.113.5\",\"http\":"                  \
    "{\"http_user_agent\":\"curl\",\"hostname\":\"portal\"}},\"not json\"],"                       \
    "\"sla\":{\"acknowledge_by\":\"2026-03-01T09:00:00.000000+0000\",\"resolve_by\":"              \
    "\"2026-03-01T12:30:00.000000+0000\",\"acknowledge_overdue\":false,\"resolve_overdue\":"       \
    "false},\"created_at\":\"2026-03-01T08:31:00.123456+0000\",\"updated_at\":"                    \
    "\"2026-03-01T08:50:30.500000+0000\",\"acknowledged_at\":\"2026-03-01T08:40:00.000000+0000\"," \
    "\"resolved_at\":null,\"closed_at\":null,\"time_to_acknowledge\":540,\"time_to_resolve\":"     \
    "null,\"links\":[\"INC-2026-000120\"],\"merged_into\":null,\"merged_from\":[]}}"

/* Only what is required. */
#define FWD_MIN_DOC                                                                                \
    "{\"version\":1,\"reason\":\"created\",\"incident\":{\"id\":\"INC-2026-000001\"}}"

/* Every optional member present but null or of the wrong type. */
#define FWD_ODD_DOC                                                                                \
    "{\"version\":2,\"reason\":\"closed\",\"incident\":{\"id\":\"INC-2026-000002\",\"title\":"     \
    "null,"                                                                                        \
    "\"rule\":[1],\"severity\":\"high\",\"priority\":1.5,\"status\":7,\"assignee\":null,"          \
    "\"group_key\":{},\"first_seen\":\"yesterday\",\"last_seen\":\"2026-02-30T00:00:00.000000+"    \
    "0000\","                                                                                      \
    "\"count\":-4,\"src_ips\":[\"not-an-ip\",7,null,\"300.1.1.1\"],\"dest_ips\":\"10.0.0.1\","     \
    "\"asset\":null,\"attack\":{\"tactics\":[\"Bad "                                               \
    "Tactic\",5],\"techniques\":[\"T11\",\"X1110\"]},"                                             \
    "\"evidence\":null,\"samples\":{},\"sla\":null,\"created_at\":12,\"updated_at\":true,"         \
    "\"links\":[],\"merged_into\":null}}"

#endif
