-- Argo CD health of a jvmm.io VirtualMachine, from the conditions the jvmm operator writes for
-- kstatus. Healthy: settled where spec.runState asks, Running, Paused or Stopped alike (a VM
-- stopped on purpose is no fault; argo-cd#29663), or ended for good under its restartPolicy.
-- Progressing: the operator has not yet answered the latest spec, or the VM is on its way.
-- Degraded: the VM cannot get where its spec asks without a change from outside (an invalid
-- spec, a failed VMM, a lost node, a spec change waiting for kubectl vm restart).
-- Argo CD runs it without Lua's string library (useOpenLibs is off for argocd-cm overrides).
local hs = {status = "Progressing", message = "waiting for the jvmm operator to report the VM"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation then
  hs.message = "the jvmm operator has not yet answered generation " .. obj.metadata.generation
  return hs
end
local conditions = {}
for _, condition in ipairs(obj.status.conditions) do
  conditions[condition.type] = condition
end
local stalled = conditions["Stalled"]
if stalled ~= nil and stalled.status == "True" then
  return {status = "Degraded", message = stalled.message}
end
local reconciling = conditions["Reconciling"]
if reconciling == nil then
  return hs
end
if reconciling.status == "True" then
  return {status = "Progressing", message = reconciling.message}
end
return {status = "Healthy", message = reconciling.message}
