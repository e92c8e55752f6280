"""The local portal as a local marketer uses it, in headless Chromium (Tests/Browser/run portal).

The daemon is BrowserTests.swift's: CONSOLE_URL is where it listens, CENTRAL_TOKEN an
admin's token, APPROVER_TOKEN an approver's, PASSWORD the password of the local operator
`marie` of entity PAR-01, OTHER_ORDER the id of an order of another entity. A package with
an order form is published for PAR-01 through the API; then marie signs in, orders it
(first leaving a required field empty, then correctly), sees the order pending, is
approved from the API and sees her unread count rise without reloading, reads her
inbox, and is shown nothing of the other entity's order. Every page is checked with axe.
"""

import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from browser import ROOT, SCREENSHOTS, Browser, api

FORM = [
    {"name": "copies", "label": "Copies", "type": "number", "required": True, "min": 1, "max": 5000},
    {"name": "format", "label": "Format", "type": "choice", "choices": ["A4", "A5", "A3"], "required": True},
    {"name": "start", "label": "First day on display", "type": "date", "min": "2027-01-01"},
    {"name": "note", "label": "Note for the printer", "type": "text", "max_length": 200},
    {"name": "laminated", "label": "Laminated", "type": "boolean"},
]


def seed():
    created = api("POST", "/v1/packages", "CENTRAL_TOKEN", {
        "label": "Poster kit", "type": "local", "campaign_name": "posters", "campaign_folder": "/2027/posters",
        "description": "Posters for the spring windows.", "audience": ["PAR-01"], "order_form": FORM,
        "order_deadline": "2030-06-30T17:00:00Z"})
    for action, token in (("submit", "CENTRAL_TOKEN"), ("approve", "APPROVER_TOKEN"), ("publish", "APPROVER_TOKEN")):
        api("POST", f"/v1/packages/{created['id']}/{action}", token, {})
    return created["id"]


def main():
    package = seed()
    portal = Browser()
    try:
        portal.step("sign in as marie of PAR-01")
        portal.sign_in("marie", home="/portal/catalog")
        rows = portal.driver.find_element(By.TAG_NAME, "tbody").text
        portal.expect("Poster kit" in rows and "2030-06-30" in rows, "the catalogue shows the package and its order deadline")

        portal.step("open Poster kit; order it leaving the required Format empty")
        portal.click_link("Poster kit")
        portal.expect(portal.driver.find_element(By.TAG_NAME, "h1").text == "Poster kit", "the package's page")
        labels = portal.driver.find_element(By.CSS_SELECTOR, "label[for=param-copies]").text
        portal.expect("(required)" in labels, "a required field is marked")
        if SCREENSHOTS:
            portal.driver.save_screenshot(os.path.join(ROOT, "docs", "portal-package.png"))
        portal.driver.find_element(By.ID, "label").send_keys("Spring windows")
        portal.driver.find_element(By.ID, "param-copies").send_keys("40")
        # The browser would refuse the empty required field itself: the server's check is what is tested.
        portal.driver.execute_script("document.querySelector('form.order-form').noValidate = true")
        portal.click_button("Order")
        error = portal.driver.find_elements(By.ID, "param-format-error")
        portal.expect(error and error[0].text == "is required", "the missing Format is refused next to its field")
        portal.expect(portal.driver.find_element(By.ID, "param-copies").get_attribute("value") == "40", "what was typed stays")
        portal.accessible()

        portal.step("choose A5 and order again: the order is pending")
        Select(portal.driver.find_element(By.ID, "param-format")).select_by_value("A5")
        portal.click_button("Order")
        portal.expect("/portal/orders/" in portal.driver.current_url, "on the order's page")
        order = portal.driver.current_url.rstrip("/").split("/")[-1]
        portal.expect(portal.status() == "Pending approval", "the order is pending approval")
        portal.accessible()

        portal.step("approved from the API: the unread count rises without reloading")
        unread = portal.driver.find_element(By.ID, "unread")
        before = unread.text
        portal.driver.execute_script("window.notReloaded = true")
        api("POST", f"/v1/orders/{order}/approve", "APPROVER_TOKEN", {"comment": "Printed on Monday"})
        WebDriverWait(portal.driver, 20, poll_frequency=0.1).until(
            lambda driver: driver.find_element(By.ID, "unread").text != before, "the unread count to change")
        portal.expect(portal.driver.find_element(By.ID, "unread").text == "(2 unread)", f"two unread (was {before!r})")
        portal.expect(portal.driver.execute_script("return window.notReloaded === true"), "the page was not reloaded")

        portal.step("the inbox shows the approval, newest first, and opening it reads it")
        portal.click_link("Notifications (2 unread)")
        first = portal.driver.find_element(By.CSS_SELECTOR, "#notifications li").text
        portal.expect("Approved:" in first and "Printed on Monday" in first, f"the newest notification is the approval: {first!r}")
        portal.expect(portal.driver.find_element(By.ID, "unread").text == "", "nothing left unread")
        portal.click_link("My orders")
        portal.expect("Spring windows" in portal.driver.find_element(By.TAG_NAME, "tbody").text, "the order is listed")

        portal.step("another entity's order and the console are not for marie")
        portal.open(f"/portal/orders/{os.environ['OTHER_ORDER']}")
        portal.expect(portal.driver.find_element(By.TAG_NAME, "h1").text == "Not Found", "another entity's order is not found")
        portal.driver.get(f"{os.environ['CONSOLE_URL']}/console/packages")
        portal.expect("/console/login" in portal.driver.current_url, "the console asks for its own sign-in")
        portal.step(f"done: {len(portal.checked)} kinds of page checked with axe")
    finally:
        portal.driver.quit()


if __name__ == "__main__":
    main()
