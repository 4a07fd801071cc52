package io.hasp.etcd;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a test class that needs etcd when the {@code etcd} binary is missing, with a message naming the install
 * command; runs it anyway (so that it fails) with {@code HASP_REQUIRE_ETCD=1}, as CI sets it. Evaluated before the
 * class' other extensions, so a skipped {@code @QuarkusTest} starts no application.
 */
public class EtcdRequired implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (EtcdCluster.required() || EtcdCluster.installed()) {
            return ConditionEvaluationResult.enabled("etcd present or required (HASP_REQUIRE_ETCD=1)");
        }
        return ConditionEvaluationResult.disabled("etcd is not installed; skipped (install it: "
                + EtcdCluster.INSTALL + "; HASP_REQUIRE_ETCD=1 makes this a failure)");
    }
}
