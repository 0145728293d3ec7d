// A monthly cost budget on the resource group, with e-mail alerts. It only warns: Azure budgets never stop resources.
// What stops GPU spend is the API's per-run budget (MASKCONTRAST_MAX_GPU_MINUTES_PER_RUN, docs/deployment.md).

param name string

@description('Monthly amount in the billing account\'s currency.')
@minValue(1)
param amount int

@description('Who gets the alerts; the budget is created only when there is at least one address.')
param contactEmails string[]

@description('First day of the month the budget starts (yyyy-MM-01). Azure refuses to change it on an existing budget.')
param startDate string

// 80 % of the amount actually spent, and 100 % forecast for the month.
resource budget 'Microsoft.Consumption/budgets@2026-06-01' = if (!empty(contactEmails)) {
  name: name
  properties: {
    category: 'Cost'
    amount: amount
    timeGrain: 'Monthly'
    timePeriod: { startDate: startDate }
    notifications: {
      actual80: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: 80
        thresholdType: 'Actual'
        contactEmails: contactEmails
      }
      forecast100: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: 100
        thresholdType: 'Forecasted'
        contactEmails: contactEmails
      }
    }
  }
}
