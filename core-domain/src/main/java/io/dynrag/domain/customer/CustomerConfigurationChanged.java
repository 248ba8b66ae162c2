package io.dynrag.domain.customer;

public record CustomerConfigurationChanged(String customerId, CustomerConfiguration configuration) {
}
