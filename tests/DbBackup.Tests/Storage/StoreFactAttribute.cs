using Xunit.Abstractions;
using Xunit.Sdk;

namespace DbBackup.Tests.Storage;

/// <summary>A fact of <see cref="StoreContractTests"/>: it runs for every driver subclass, and is skipped,
/// with the reason shown, for a subclass whose store cannot be reached here (an emulator that is not
/// installed outside CI). The subclass says so through a public static <c>SkipReason</c> property;
/// under CI (env CI set) such a property must return null, so an unreachable emulator fails instead.</summary>
[XunitTestCaseDiscoverer("DbBackup.Tests.Storage.StoreFactDiscoverer", "DbBackup.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts per test class, asking the class whether
/// its store is available.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc/>
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        var skipReason = testClass?.GetProperty("SkipReason", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) as string;
        if (skipReason is not null)
            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skipReason)];
        return [new XunitTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
    }
}
